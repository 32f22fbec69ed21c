// What BMAD a workspace has installed for Claude Code: its generation, version, config folder, and every
// command and skill file the Claude CLI could load for it (the project's `.claude/` and the user's
// `~/.claude/`). Detection reads folders only: v6-alpha repositories often carry no manifest.

import type { FileSystem } from '../fs/FileSystem';

/**
 * - `v6-alpha`: nested commands `.claude/commands/bmad/bmm/workflows/<name>.md` (`/bmad:bmm:workflows:<name>`).
 * - `6.0-6.1`: flat commands `.claude/commands/bmad-bmm-<name>.md`.
 * - `6.2+`: skills `.claude/skills/bmad-<name>/SKILL.md` (6.2–6.10, before `bmad-build`).
 * - `6.12`: skills with `bmad-build`; create-story / dev-story only when installed with `--shims`.
 * - `config-only`: a BMAD folder (`_bmad/`, `bmad/`, `.bmad/`) but no Claude Code command or skill
 *   (another IDE's install, or `.claude/` not committed).
 * - `none`: no BMAD at all.
 */
export type BmadGeneration = 'v6-alpha' | '6.0-6.1' | '6.2+' | '6.12' | 'config-only' | 'none';

export type BmadFileKind = 'command' | 'skill';

/** Where a command or skill file was found. */
export type BmadFileScope = 'project' | 'user';

export interface BmadSlashEntry {
  /** The name the CLI knows, without `/` (`bmad:bmm:workflows:dev-story`, `bmad-bmm-dev-story`, `bmad-dev-story`). */
  name: string;
  kind: BmadFileKind;
  scope: BmadFileScope;
  /** Absolute path of the command file or `SKILL.md`. */
  file: string;
  /**
   * False for skills found only in `.agents/skills/` (written by some BMAD versions for other tools):
   * whether Claude Code reads that folder is not established, so the runner does not rely on it.
   */
  claudeLoads: boolean;
}

export interface BmadInstall {
  generation: BmadGeneration;
  /** `installation.version` of the manifest, when one exists. */
  version?: string;
  /** The manifest says the install kept the deprecated shim skills (`installShims: true`). */
  shimsInManifest?: boolean;
  /** Absolute BMAD folder (`_bmad`, `bmad` or `.bmad`), when found. */
  configDir?: string;
  /** Absolute manifest path, when found. */
  manifestPath?: string;
  /** Every command and skill found, project entries first; the first of a name wins in `byName`. */
  entries: BmadSlashEntry[];
  byName: ReadonlyMap<string, BmadSlashEntry>;
}

export interface DetectBmadOptions {
  /** The user's home folder: `~/.claude/commands` and `~/.claude/skills` are read too. */
  homeDir?: string;
}

const CONFIG_DIRS = ['_bmad', 'bmad', '.bmad'];
const MANIFESTS = ['_config/manifest.yaml', '_cfg/manifest.yaml'];
/** Commands nest a few levels at most (`bmad/bmm/workflows/x.md`); the walk stops below this depth. */
const MAX_COMMAND_DEPTH = 5;

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

async function isDir(fs: FileSystem, p: string): Promise<boolean> {
  return (await fs.stat(p))?.isDirectory === true;
}

async function isFile(fs: FileSystem, p: string): Promise<boolean> {
  return (await fs.stat(p))?.isFile === true;
}

async function listDir(fs: FileSystem, p: string): Promise<string[]> {
  try {
    return (await fs.readDir(p)).sort();
  } catch {
    return [];
  }
}

/** `<dir>/a/b/c.md` → `a:b:c`, as the CLI names nested commands. */
async function readCommands(fs: FileSystem, dir: string, scope: BmadFileScope, prefix: string[] = [], depth = 0): Promise<BmadSlashEntry[]> {
  if (depth > MAX_COMMAND_DEPTH) return [];
  const out: BmadSlashEntry[] = [];
  for (const name of await listDir(fs, dir)) {
    const p = join(dir, name);
    const stat = await fs.stat(p);
    if (stat?.isDirectory) out.push(...(await readCommands(fs, p, scope, [...prefix, name], depth + 1)));
    else if (stat?.isFile && name.endsWith('.md')) {
      out.push({ name: [...prefix, name.slice(0, -'.md'.length)].join(':'), kind: 'command', scope, file: p, claudeLoads: true });
    }
  }
  return out;
}

async function readSkills(fs: FileSystem, dir: string, scope: BmadFileScope, claudeLoads: boolean): Promise<BmadSlashEntry[]> {
  const out: BmadSlashEntry[] = [];
  for (const name of await listDir(fs, dir)) {
    const file = join(dir, name, 'SKILL.md');
    if (await isFile(fs, file)) out.push({ name, kind: 'skill', scope, file, claudeLoads });
  }
  return out;
}

/** `installation.version` and `installShims` from a BMAD manifest (a line scan: only two scalars are needed). */
export function parseManifest(text: string): { version?: string; shims?: boolean } {
  const block = /^installation:\s*\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? '';
  const version = /^[ \t]+version:[ \t]*['"]?([^'"\s#]+)/m.exec(block)?.[1];
  const shims = /^[ \t]+installShims:[ \t]*(true|false)/m.exec(block)?.[1];
  return { ...(version ? { version } : {}), ...(shims ? { shims: shims === 'true' } : {}) };
}

function classify(entries: readonly BmadSlashEntry[], hasConfigDir: boolean, version: string | undefined): BmadGeneration {
  const loaded = entries.filter((e) => e.claudeLoads);
  const names = new Set(loaded.map((e) => e.name));
  const skills = loaded.filter((e) => e.kind === 'skill' && e.name.startsWith('bmad-'));
  if (skills.length > 0) {
    const major = version ? /^6\.(\d+)/.exec(version) : null;
    if (names.has('bmad-build') || (major && Number(major[1]) >= 12)) return '6.12';
    return '6.2+';
  }
  if (loaded.some((e) => e.kind === 'command' && e.name.startsWith('bmad-bmm-'))) return '6.0-6.1';
  if (loaded.some((e) => e.kind === 'command' && e.name.startsWith('bmad:'))) return 'v6-alpha';
  return hasConfigDir ? 'config-only' : 'none';
}

export async function detectBmadInstall(root: string, fs: FileSystem, options: DetectBmadOptions = {}): Promise<BmadInstall> {
  let configDir: string | undefined;
  for (const d of CONFIG_DIRS) {
    if (await isDir(fs, join(root, d))) {
      configDir = join(root, d);
      break;
    }
  }
  let manifestPath: string | undefined;
  let manifest: { version?: string; shims?: boolean } = {};
  if (configDir) {
    for (const m of MANIFESTS) {
      const p = join(configDir, m);
      if (await isFile(fs, p)) {
        manifestPath = p;
        manifest = parseManifest(await fs.readText(p).catch(() => ''));
        break;
      }
    }
  }

  const places: { base: string; scope: BmadFileScope }[] = [{ base: root, scope: 'project' }];
  if (options.homeDir) places.push({ base: options.homeDir, scope: 'user' });
  const entries: BmadSlashEntry[] = [];
  for (const { base, scope } of places) {
    entries.push(...(await readCommands(fs, join(base, '.claude', 'commands'), scope)));
    entries.push(...(await readSkills(fs, join(base, '.claude', 'skills'), scope, true)));
    if (scope === 'project') entries.push(...(await readSkills(fs, join(base, '.agents', 'skills'), scope, false)));
  }
  const byName = new Map<string, BmadSlashEntry>();
  for (const e of entries) {
    const prior = byName.get(e.name);
    if (!prior || (!prior.claudeLoads && e.claudeLoads)) byName.set(e.name, e);
  }
  return {
    generation: classify(entries, configDir !== undefined, manifest.version),
    ...(manifest.version ? { version: manifest.version } : {}),
    ...(manifest.shims !== undefined ? { shimsInManifest: manifest.shims } : {}),
    ...(configDir ? { configDir } : {}),
    ...(manifestPath ? { manifestPath } : {}),
    entries,
    byName,
  };
}
