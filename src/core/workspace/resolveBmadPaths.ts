// Reads BMAD's module config (`_bmad/bmm/config.yaml`, or the older `bmad/` / `.bmad/` folders) and resolves
// where BMAD keeps its artifacts, without requiring the ledger to exist (discoverWorkspace and
// createLedgerFromTemplate both start from here).

import * as path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { FileSystem } from '../fs/FileSystem';
import { BmadConfigError } from './BmadConfigError';

export const BMAD_CONFIG_RELATIVE = path.join('_bmad', 'bmm', 'config.yaml');
/** Config files looked for, in order: today's folder, then the ones older BMAD installed. The first found is used. */
export const BMAD_CONFIG_CANDIDATES = [BMAD_CONFIG_RELATIVE, path.join('bmad', 'bmm', 'config.yaml'), path.join('.bmad', 'bmm', 'config.yaml')];
export const DEFAULT_OUTPUT_FOLDER = '_bmad-output';
export const DEFAULT_IMPLEMENTATION_ARTIFACTS = path.join('_bmad-output', 'implementation-artifacts');
export const DEFAULT_PLANNING_ARTIFACTS = path.join('_bmad-output', 'planning-artifacts');
export const LEDGER_FILE_NAME = 'sprint-status.yaml';
/**
 * Folders a ledger is looked for in after the ones the config names, relative to the root, in order: where BMAD
 * 6 puts it, then where older BMAD generations and real projects keep it.
 */
export const LEDGER_FALLBACK_FOLDERS = [
  DEFAULT_IMPLEMENTATION_ARTIFACTS,
  DEFAULT_OUTPUT_FOLDER,
  path.join('docs', 'sprint-artifacts'),
  path.join('docs', 'implementation-artifacts'),
  path.join('docs', 'stories'),
  'docs',
  '.bmad-ephemeral',
  '.',
];
/** Ledger locations tried after the configured ones, relative to the root. */
export const LEDGER_FALLBACKS = LEDGER_FALLBACK_FOLDERS.map((f) => path.join(f, LEDGER_FILE_NAME));

/** A place the ledger may be, and why it is looked at there (shown when several ledgers exist). */
export interface LedgerCandidate {
  path: string;
  why: string;
}

export interface BmadPaths {
  root: string;
  /** Absolute path of the BMAD module config when one exists (see BMAD_CONFIG_CANDIDATES). */
  configPath?: string;
  /** Top-level string values of the config (booleans etc. as written), placeholders not resolved. */
  config: Record<string, string>;
  /** Absolute; from `implementation_artifacts` (or the older `sprint_artifacts`, `dev_story_location`), else the default. */
  implementationArtifacts: string;
  /** True when implementationArtifacts came from the config rather than the default. */
  implementationArtifactsConfigured: boolean;
  planningArtifacts: string;
  /** Absolute `{output_folder}` (default `_bmad-output`): where BMAD writes project-context.md. */
  outputFolder: string;
  /** Absolute ledger paths to try, in order, without duplicates. */
  ledgerCandidates: string[];
  /** The same, each with why it is looked at. */
  ledgerPlaces: LedgerCandidate[];
}

/**
 * Resolves `{project-root}` and `{other_config_key}` placeholders in a config path value; relative results
 * are taken from the root. Throws BmadConfigError for a placeholder that names nothing.
 */
function resolveConfigPath(
  key: string,
  value: string,
  root: string,
  config: Record<string, string>,
  where: { file: string; line: number; col: number },
): string {
  let resolved = value;
  // A few rounds let `{output_folder}/x` resolve when output_folder itself uses `{project-root}`.
  for (let round = 0; round < 4 && /\{[^}]+\}/.test(resolved); round++) {
    resolved = resolved.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      if (name === 'project-root') return root;
      const other = config[name];
      return other !== undefined && name !== key ? other : whole;
    });
  }
  const left = /\{[^}]+\}/.exec(resolved);
  if (left) {
    throw new BmadConfigError(
      where.file,
      where.line,
      where.col,
      `\`${key}\` uses the placeholder ${left[0]}, which is neither {project-root} nor another key of this file`,
      `write the path as '{project-root}/<folder>' or as a path relative to the workspace root`,
    );
  }
  return path.resolve(root, resolved);
}

export async function resolveBmadPaths(
  root: string,
  fs: FileSystem,
  opts: { ledgerOverride?: string } = {},
): Promise<BmadPaths> {
  const absRoot = path.resolve(root);
  const config: Record<string, string> = {};
  const positions: Record<string, { file: string; line: number; col: number }> = {};
  let configPath: string | undefined;
  let configFile = '';
  for (const relative of BMAD_CONFIG_CANDIDATES) {
    configFile = path.join(absRoot, relative);
    if (await fs.exists(configFile)) break;
    configFile = '';
  }

  if (configFile) {
    configPath = configFile;
    const text = await fs.readText(configFile);
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, schema: 'failsafe', prettyErrors: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
      const reason = e.message.split(' at line ')[0].replace(/[.:]\s*$/, '');
      throw new BmadConfigError(configFile, at.line, at.col, reason, 'correct the YAML of the BMAD config (or reinstall BMAD)');
    }
    if (isMap(doc.contents)) {
      for (const pair of doc.contents.items) {
        if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
        const key = String(pair.key.value);
        config[key] = String(pair.value.value ?? '');
        const at = lineCounter.linePos(pair.value.range?.[0] ?? 0);
        positions[key] = { file: configFile, line: at.line, col: at.col };
      }
    }
  }

  const fromConfig = (key: string): string | undefined =>
    config[key] ? resolveConfigPath(key, config[key], absRoot, config, positions[key]) : undefined;

  // BMAD 6 names the folder `implementation_artifacts`, earlier 6.0 alphas `sprint_artifacts`, the first ones only
  // `dev_story_location` (the ledger then sat in `{output_folder}`).
  const implKey = ['implementation_artifacts', 'sprint_artifacts', 'dev_story_location'].find((k) => config[k]);
  const configuredImpl = implKey ? fromConfig(implKey) : undefined;
  const implementationArtifacts = configuredImpl ?? path.join(absRoot, DEFAULT_IMPLEMENTATION_ARTIFACTS);
  const planningArtifacts = fromConfig('planning_artifacts') ?? path.join(absRoot, DEFAULT_PLANNING_ARTIFACTS);
  const configuredOutput = fromConfig('output_folder');
  const outputFolder = configuredOutput ?? path.join(absRoot, DEFAULT_OUTPUT_FOLDER);

  const configName = configPath ? path.relative(absRoot, configPath).split(path.sep).join('/') : '';
  const places: LedgerCandidate[] = opts.ledgerOverride
    ? [{ path: path.resolve(absRoot, opts.ledgerOverride), why: 'given explicitly' }]
    : [
        ...(configuredImpl ? [{ path: path.join(configuredImpl, LEDGER_FILE_NAME), why: `the folder ${configName} names as \`${implKey}\`` }] : []),
        ...(configuredOutput ? [{ path: path.join(configuredOutput, LEDGER_FILE_NAME), why: `${configName}'s \`output_folder\` (where BMAD v6-alpha writes it)` }] : []),
        ...LEDGER_FALLBACK_FOLDERS.map((f) => ({
          path: path.join(absRoot, f, LEDGER_FILE_NAME),
          why: f === DEFAULT_IMPLEMENTATION_ARTIFACTS ? "BMAD's default place" : 'a place BMAD projects keep it (searched in a fixed order)',
        })),
      ];
  const ledgerPlaces = places.filter((p, i) => places.findIndex((q) => q.path === p.path) === i);

  return {
    root: absRoot,
    configPath,
    config,
    implementationArtifacts,
    implementationArtifactsConfigured: configuredImpl !== undefined,
    planningArtifacts,
    outputFolder,
    ledgerCandidates: ledgerPlaces.map((p) => p.path),
    ledgerPlaces,
  };
}
