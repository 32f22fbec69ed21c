// Reads `_bmad/bmm/config.yaml` and resolves where BMAD keeps its artifacts, without requiring the ledger to
// exist (discoverWorkspace and createLedgerFromTemplate both start from here).

import * as path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { FileSystem } from '../fs/FileSystem';
import { BmadConfigError } from './BmadConfigError';

export const BMAD_CONFIG_RELATIVE = path.join('_bmad', 'bmm', 'config.yaml');
export const DEFAULT_IMPLEMENTATION_ARTIFACTS = path.join('_bmad-output', 'implementation-artifacts');
export const DEFAULT_PLANNING_ARTIFACTS = path.join('_bmad-output', 'planning-artifacts');
/** Ledger locations tried after `{implementation_artifacts}/sprint-status.yaml`, relative to the root. */
export const LEDGER_FALLBACKS = [
  path.join('_bmad-output', 'implementation-artifacts', 'sprint-status.yaml'),
  path.join('docs', 'sprint-artifacts', 'sprint-status.yaml'),
];
export const LEDGER_FILE_NAME = 'sprint-status.yaml';

export interface BmadPaths {
  root: string;
  /** Absolute path of `_bmad/bmm/config.yaml` when it exists. */
  configPath?: string;
  /** Top-level string values of the config (booleans etc. as written), placeholders not resolved. */
  config: Record<string, string>;
  /** Absolute; from `implementation_artifacts` (or the older `sprint_artifacts`), else the default. */
  implementationArtifacts: string;
  /** True when implementationArtifacts came from the config rather than the default. */
  implementationArtifactsConfigured: boolean;
  planningArtifacts: string;
  /** Absolute ledger paths to try, in order, without duplicates. */
  ledgerCandidates: string[];
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
  const configFile = path.join(absRoot, BMAD_CONFIG_RELATIVE);
  const config: Record<string, string> = {};
  const positions: Record<string, { file: string; line: number; col: number }> = {};
  let configPath: string | undefined;

  if (await fs.exists(configFile)) {
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

  const configuredImpl = fromConfig('implementation_artifacts') ?? fromConfig('sprint_artifacts');
  const implementationArtifacts = configuredImpl ?? path.join(absRoot, DEFAULT_IMPLEMENTATION_ARTIFACTS);
  const planningArtifacts = fromConfig('planning_artifacts') ?? path.join(absRoot, DEFAULT_PLANNING_ARTIFACTS);

  const candidates = opts.ledgerOverride
    ? [path.resolve(absRoot, opts.ledgerOverride)]
    : [path.join(implementationArtifacts, LEDGER_FILE_NAME), ...LEDGER_FALLBACKS.map((p) => path.join(absRoot, p))];

  return {
    root: absRoot,
    configPath,
    config,
    implementationArtifacts,
    implementationArtifactsConfigured: configuredImpl !== undefined,
    planningArtifacts,
    ledgerCandidates: [...new Set(candidates)],
  };
}
