// Creates sprint-status.yaml from BMAD's template when a workspace has none.
//
// The template's header comments (status definitions, workflow notes) are kept with `{project_name}` etc.
// filled in; its metadata lines get real values; its EXAMPLE development_status (plant app stories) is NOT
// copied — running those would make agents build someone else's product. The stories come from the
// workspace's epics (`{planning_artifacts}/epics.md` or `epics/*.md`, BMAD headings), all `backlog`; without
// epics the section is left empty with a comment saying how to fill it.

import * as path from 'node:path';
import type { FileSystem } from '../fs/FileSystem';
import { parseLedgerText } from '../ledger/SprintLedger';
import type { OutlineEpic } from './parseEpicsOutline';
import { readEpicsOutline } from './readEpicsOutline';
import { LEDGER_FILE_NAME, resolveBmadPaths } from './resolveBmadPaths';

export interface CreateLedgerOptions {
  /** BMAD's sprint-status template (the extension/CLI pass `media/templates/sprint-status-template.yaml`). */
  templatePath: string;
  /** Where to write; default `{implementation_artifacts}/sprint-status.yaml`. Relative paths are from the root. */
  ledgerPath?: string;
  /** Clock for the `generated` date (tests). */
  now?: Date;
}

export interface CreatedLedger {
  path: string;
  /** Epic files the stories were taken from (empty when none were found). */
  epicsSources: string[];
  storyCount: number;
}

export class LedgerExistsError extends Error {
  override readonly name = 'LedgerExistsError';
  constructor(
    readonly file: string,
    /** Where a new one was asked for, when that is another place than the existing ledger. */
    readonly requested?: string,
  ) {
    super(
      requested && requested !== file
        ? `not creating ${requested}: this workspace already has the ledger ${file}, which the runner would use. Fix: run without --init ` +
            '(or without creating one) to use it, or move it away first to start a new one'
        : `${file} already exists; it was not overwritten. Fix: use it as it is, or move it away first to create a new one`,
    );
  }
}

export class LedgerOutsideWorkspaceError extends Error {
  override readonly name = 'LedgerOutsideWorkspaceError';
  constructor(
    readonly file: string,
    readonly root: string,
  ) {
    super(`not creating ${file}: it is outside the workspace ${root}. Fix: give a path inside the workspace (a relative one is taken from it)`);
  }
}

function yamlScalar(value: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_ ./-]*$/.test(value) && !/\s$/.test(value) ? value : JSON.stringify(value);
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

async function readEpics(planningArtifacts: string, fs: FileSystem): Promise<{ epics: OutlineEpic[]; sources: string[] }> {
  const { epics, sources } = await readEpicsOutline(planningArtifacts, fs);
  return { epics: epics.filter((e) => e.stories.length > 0), sources: epics.some((e) => e.stories.length > 0) ? sources : [] };
}

function developmentStatusBlock(epics: OutlineEpic[], sources: string[], root: string, eol: string): string {
  const lines = ['development_status:'];
  if (epics.length === 0) {
    lines.push(
      '  # No stories yet. Add one line per story, e.g. `  1-1-first-story: backlog` (with `  epic-1: backlog` above it),',
      '  # or run BMAD sprint-planning (/bmad:bmm:workflows:sprint-planning) to generate them from your epics.',
    );
  } else {
    lines.splice(0, 0, `# Stories from ${sources.map((s) => path.relative(root, s).split(path.sep).join('/')).join(', ')}`, '');
    epics.forEach((epic, i) => {
      if (i > 0) lines.push('');
      lines.push(`  # Epic ${epic.epicId}${epic.title ? `: ${epic.title.replace(/[\r\n]/g, ' ')}` : ''}`);
      lines.push(`  epic-${epic.epicId}: backlog`);
      for (const story of epic.stories) lines.push(`  ${story.key}: backlog`);
      lines.push(`  epic-${epic.epicId}-retrospective: optional`);
    });
  }
  return lines.join(eol) + eol;
}

/** Writes a new sprint-status.yaml (atomically) and returns where; never overwrites an existing file. */
export async function createLedgerFromTemplate(root: string, fs: FileSystem, opts: CreateLedgerOptions): Promise<CreatedLedger> {
  const paths = await resolveBmadPaths(root, fs);
  const target = opts.ledgerPath
    ? path.resolve(paths.root, opts.ledgerPath)
    : path.join(paths.implementationArtifacts, LEDGER_FILE_NAME);
  const inside = path.relative(paths.root, target);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) throw new LedgerOutsideWorkspaceError(target, paths.root);
  if (await fs.exists(target)) throw new LedgerExistsError(target);
  // A second ledger beside one the runner would find splits the sprint in two: the new one would be empty.
  for (const existing of paths.ledgerCandidates) {
    if ((await fs.stat(existing))?.isFile) throw new LedgerExistsError(existing, target);
  }

  const template = await fs.readText(opts.templatePath);
  const eol = template.includes('\r\n') ? '\r\n' : '\n';
  const projectName = paths.config.project_name || path.basename(paths.root);
  const values: Record<string, string> = {
    date: isoDate(opts.now ?? new Date()),
    project_name: projectName,
    project_key: paths.config.project_key || projectName,
    tracking_system: 'file-system',
    story_location: path.relative(paths.root, path.dirname(target)).split(path.sep).join('/') || '.',
  };
  const metadata: Record<string, string> = {
    generated: values.date,
    project: values.project_name,
    project_key: values.project_key,
    tracking_system: values.tracking_system,
    story_location: values.story_location,
  };
  const { epics, sources } = await readEpics(paths.planningArtifacts, fs);

  const out: string[] = ["# Sprint Status (created by Sprint Runner from BMAD's sprint-status template)"];
  for (const line of template.split(/\r?\n/)) {
    if (/^development_status\s*:/.test(line)) break;
    // The template's lines about itself being an example would be false in the created file.
    if (/^#\s*(EXAMPLE STRUCTURE|Sprint Status Template|This is an EXAMPLE|The actual file will be generated)/i.test(line)) continue;
    if (line.trim() === '' && (out.length === 0 || out[out.length - 1].trim() === '')) continue;
    const meta = /^([A-Za-z_]+)\s*:/.exec(line);
    if (meta && metadata[meta[1]] !== undefined) {
      out.push(`${meta[1]}: ${yamlScalar(metadata[meta[1]])}`);
      continue;
    }
    // Placeholders only in comments: they document the values above, and are never YAML syntax there.
    out.push(line.startsWith('#') ? line.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole) : line);
  }
  while (out.length > 0 && out[out.length - 1].trim() === '') out.pop();
  const text = out.join(eol) + eol + eol + developmentStatusBlock(epics, sources, paths.root, eol);

  // What we write must be a ledger the runner accepts.
  parseLedgerText(target, text);
  await fs.mkdirp(path.dirname(target));
  // Checked again right before the write: someone may have created it while we read the epics.
  if (await fs.exists(target)) throw new LedgerExistsError(target);
  await fs.writeTextAtomic(target, text);
  return { path: target, epicsSources: sources, storyCount: epics.reduce((n, e) => n + e.stories.length, 0) };
}
