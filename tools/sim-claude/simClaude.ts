// sim-claude: a stand-in for `claude -p --output-format stream-json --verbose` that prints the same lines
// the real CLI prints (modelled on test/fixtures/claude-stream-json), accepts and rejects the same
// flags, really runs the progress helper, writes the files a BMAD agent would, moves ledger statuses and
// fails in the ways the real CLI fails. Driven by a scenario file (SIM_CLAUDE_SCENARIO; format in
// docs/claude-cli.md). It is the agent of the demo and of the process tests.

import { spawn } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { existsSync, mkdirSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shortIdOf } from '../../src/core/ledger/storyKeys';
import { writeFileAtomic } from '../../src/infra/NodeFileSystem';
import { listSlashCommands } from './simSlashCommands';
import { EngineBatchCommitter } from '../../src/infra/git/EngineBatchCommitter';

const VERSION = '2.1.197';
const PERMISSION_MODES = ['acceptEdits', 'bypassPermissions', 'default', 'dontAsk', 'plan'];
const VALUE_FLAGS = new Set([
  '--output-format', '--input-format', '--model', '--append-system-prompt', '--append-system-prompt-file', '--system-prompt',
  '--system-prompt-file', '--max-turns', '--permission-mode', '--max-budget-usd', '--session-id', '--resume', '-r',
  '--fallback-model', '--settings', '--permission-prompt-tool', '--agents', '--setting-sources',
]);
const VARIADIC_FLAGS = new Set(['--allowedTools', '--allowed-tools', '--disallowedTools', '--disallowed-tools', '--add-dir', '--mcp-config', '--tools', '--betas']);
const BOOLEAN_FLAGS = new Set([
  '-p', '--print', '--verbose', '--dangerously-skip-permissions', '--include-partial-messages', '--continue', '-c',
  '--strict-mcp-config', '--replay-user-messages', '--fork-session', '--debug', '-d', '--no-session-persistence',
]);

// ---------------------------------------------------------------- scenario

export type SimFailure =
  | 'overloaded' | 'rate-limit' | 'server-error' | 'auth' | 'invalid-request' | 'no-connection'
  | 'max-turns' | 'budget' | 'no-result' | 'malformed' | 'signal' | 'hang' | 'chatty' | 'big-line' | 'stderr-error'
  | 'usage-limit';

export interface SimFinding {
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  text: string;
}

export interface SimRule {
  /** Step command (`code-review`), `*` for any. */
  command?: string;
  /** Story short id or key, `*` for any; matches when any story of the invocation matches. */
  story?: string;
  /** Review attempt (SPRINT_RUNNER_ATTEMPT), `*` for any. */
  attempt?: number | '*';
  /** Apply only to the first N matching invocations (counted across processes). */
  times?: number;
  fail?: SimFailure;
  techSpec?: 'REQUIRED' | 'SKIP';
  criticalIssues?: boolean;
  findings?: SimFinding[];
  deferred?: string[];
  omitMarkers?: boolean;
  delayMs?: number;
  exitCode?: number;
  ignoreSigint?: boolean;
  /** `fail: "hang"`: seconds of the background `sleep` it leaves running (default 1000). */
  sleepSeconds?: number;
  /** Extra text appended to the final answer. */
  text?: string;
  /** Exits 0 with a cheerful answer having done nothing, also when reminded (`--resume`). */
  nothing?: boolean;
  /** Asks a question and does nothing; continued with `--resume` (the reminder), it does the work. */
  asks?: boolean;
  /** `fail: "usage-limit"`: seconds until the limit resets (default 3); `rateLimitType` as the event says it. */
  resetInSeconds?: number;
  rateLimitType?: string;
}

export interface SimScenario {
  name?: string;
  /** Pause per logged phase, ms (a number or [min, max]). */
  delayMs?: number | [number, number];
  model?: string;
  rules?: SimRule[];
}

export const HAPPY_SCENARIO: SimScenario = {
  name: 'happy (built in)',
  delayMs: [150, 400],
  rules: [
    { command: 'create-story', techSpec: 'SKIP' },
    { command: 'code-review', attempt: 1, findings: [{ severity: 'MEDIUM', text: 'src/ missing input validation on the new handler' }] },
  ],
};

// ---------------------------------------------------------------- environment

interface SimContext {
  args: ParsedArgs;
  prompt: string;
  scenario: SimScenario;
  rule: SimRule;
  command: string;
  label: string;
  attempt: number;
  storyKeys: string[];
  storyIds: string[];
  epicId: string;
  cwd: string;
  sessionId: string;
  model: string;
  started: number;
  turns: number;
  /** What `system/init` lists: the real CLI's built-ins and every command and skill of the folder and home. */
  slashCommands: string[];
}


interface ParsedArgs {
  print: boolean;
  verbose: boolean;
  outputFormat: string;
  inputFormat: string;
  model?: string;
  permissionMode: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  systemPromptFile?: string;
  promptArg?: string;
  sessionId?: string;
  /** `--resume <id>` / `-r <id>`: the same session continues. */
  resumeSessionId?: string;
  includePartial: boolean;
}

class CliExit extends Error {
  constructor(readonly code: number, readonly stderr: string) {
    super(stderr);
  }
}

function parseArgs(argv: string[]): ParsedArgs {
  const a: ParsedArgs = { print: false, verbose: false, outputFormat: 'text', inputFormat: 'text', permissionMode: 'default', includePartial: false };
  let skip = false;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    if (flag === '--version' || flag === '-v') throw new CliExit(0, `${VERSION} (Claude Code)`);
    if (BOOLEAN_FLAGS.has(flag)) {
      if (flag === '-p' || flag === '--print') a.print = true;
      if (flag === '--verbose') a.verbose = true;
      if (flag === '--dangerously-skip-permissions') a.permissionMode = 'bypassPermissions';
      if (flag === '--include-partial-messages') a.includePartial = true;
      continue;
    }
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new CliExit(1, `error: option '${flag} <value>' argument missing`);
      switch (flag) {
        case '--output-format':
          if (!['text', 'json', 'stream-json'].includes(value)) {
            throw new CliExit(1, `error: option '--output-format <format>' argument '${value}' is invalid. Allowed choices are text, json, stream-json.`);
          }
          a.outputFormat = value;
          break;
        case '--input-format':
          a.inputFormat = value;
          break;
        case '--model':
          a.model = value;
          break;
        case '--permission-mode':
          if (!PERMISSION_MODES.includes(value)) {
            throw new CliExit(1, `error: option '--permission-mode <mode>' argument '${value}' is invalid. Allowed choices are ${PERMISSION_MODES.join(', ')}.`);
          }
          a.permissionMode = value;
          break;
        case '--max-turns':
          a.maxTurns = Number(value);
          break;
        case '--max-budget-usd':
          a.maxBudgetUsd = Number(value);
          break;
        case '--append-system-prompt-file':
        case '--system-prompt-file':
          a.systemPromptFile = value;
          break;
        case '--session-id':
          a.sessionId = value;
          break;
        case '--resume':
        case '-r':
          a.resumeSessionId = value;
          break;
        default:
          break;
      }
      continue;
    }
    if (VARIADIC_FLAGS.has(flag)) {
      if (inline === undefined) while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) i++;
      continue;
    }
    if (raw === '--') {
      skip = true;
      continue;
    }
    if (raw.startsWith('-') && !skip) throw new CliExit(1, `error: unknown option '${flag}'`);
    a.promptArg = a.promptArg === undefined ? raw : `${a.promptArg} ${raw}`;
  }
  return a;
}

/** The checks the real CLI makes before doing anything (messages copied from it). */
function validate(a: ParsedArgs, env: NodeJS.ProcessEnv): void {
  if (!a.print) throw new CliExit(1, 'sim-claude: only print mode (-p) is simulated');
  if (a.outputFormat === 'stream-json' && !a.verbose) {
    throw new CliExit(1, 'Error: When using --print, --output-format=stream-json requires --verbose');
  }
  if (a.permissionMode === 'bypassPermissions' && process.getuid?.() === 0 && !env.IS_SANDBOX) {
    throw new CliExit(1, '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons');
  }
  if (a.maxTurns !== undefined && !(Number.isInteger(a.maxTurns) && a.maxTurns > 0)) {
    throw new CliExit(1, `Error: --max-turns must be a positive integer, got ${a.maxTurns}`);
  }
  if (a.systemPromptFile !== undefined && !existsSync(a.systemPromptFile)) {
    throw new CliExit(1, `Error: Append system prompt file not found: ${path.resolve(a.systemPromptFile)}`);
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function loadScenario(env: NodeJS.ProcessEnv): SimScenario {
  const file = env.SIM_CLAUDE_SCENARIO;
  if (!file) return HAPPY_SCENARIO;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliExit(1, `sim-claude: cannot read scenario ${file} (SIM_CLAUDE_SCENARIO): ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as SimScenario;
  } catch (err) {
    throw new CliExit(1, `sim-claude: scenario ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The epic of a short story id: everything before its last dash (`2a-1` → `2a`, `5-sr-3` → `5-sr`). */
function epicOf(storyId: string): string {
  return storyId.replace(/-[^-]*$/, '');
}

function matches(rule: SimRule, command: string, storyKeys: string[], storyIds: string[], attempt: number): boolean {
  if (rule.command && rule.command !== '*' && rule.command !== command) return false;
  if (rule.story && rule.story !== '*' && !storyKeys.includes(rule.story) && !storyIds.includes(rule.story)) return false;
  if (rule.attempt !== undefined && rule.attempt !== '*' && rule.attempt !== attempt) return false;
  return true;
}

/** Claims one of a rule's `times` slots with O_EXCL files, so parallel invocations count correctly. */
function claimSlot(stateDir: string, ruleIndex: number, times: number): boolean {
  mkdirSync(stateDir, { recursive: true });
  for (let n = 1; n <= times; n++) {
    try {
      writeFileSync(path.join(stateDir, `rule-${ruleIndex}-${n}`), String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      // slot taken
    }
  }
  return false;
}

function pickRule(scenario: SimScenario, env: NodeJS.ProcessEnv, cwd: string, command: string, keys: string[], ids: string[], attempt: number): SimRule {
  const stateDir = env.SIM_CLAUDE_STATE_DIR ?? path.join(os.tmpdir(), `sim-claude-${createHash('sha1').update(`${cwd}\0${env.SIM_CLAUDE_SCENARIO ?? ''}`).digest('hex').slice(0, 12)}`);
  const rules = scenario.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!matches(r, command, keys, ids, attempt)) continue;
    if (r.times !== undefined && !claimSlot(stateDir, i, r.times)) continue;
    return r;
  }
  return {};
}

// ---------------------------------------------------------------- output

function out(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function phaseDelay(ctx: SimContext): number {
  const d = ctx.rule.delayMs ?? ctx.scenario.delayMs ?? [150, 400];
  if (typeof d === 'number') return d;
  return d[0] + Math.floor(Math.random() * Math.max(0, d[1] - d[0]));
}

const placeholderUsage = () => ({ input_tokens: 12000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' });

let messageCounter = 0;
function assistant(ctx: SimContext, block: Record<string, unknown>, newMessage = true): void {
  if (newMessage) messageCounter++;
  out({
    type: 'assistant',
    message: {
      id: `msg_sim_${ctx.sessionId.slice(0, 8)}_${messageCounter}`,
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage: placeholderUsage(),
      context_management: null,
    },
    parent_tool_use_id: null,
    session_id: ctx.sessionId,
    uuid: randomUUID(),
    request_id: `req_sim_${messageCounter}`,
  });
}

function toolResult(ctx: SimContext, toolUseId: string, content: string, isError: boolean, toolUseResult: unknown): void {
  out({
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content, is_error: isError }] },
    parent_tool_use_id: null,
    session_id: ctx.sessionId,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    tool_use_result: toolUseResult,
  });
}

function newToolId(): string {
  return `toolu_sim_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** Runs a command the way the Bash tool does: `sh -c`, own session, stdout+stderr merged. */
function runBash(command: string, cwd: string): Promise<{ output: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env: process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', (err) => resolve({ output: String(err), code: 127 }));
    child.on('close', (code) => resolve({ output: output.replace(/\n$/, ''), code: code ?? 1 }));
  });
}

async function bashTool(ctx: SimContext, command: string, description: string): Promise<string> {
  const id = newToolId();
  assistant(ctx, { type: 'tool_use', id, name: 'Bash', input: { command, description } });
  const { output, code } = await runBash(command, ctx.cwd);
  ctx.turns++;
  const content = code === 0 ? output : `Exit code ${code}\n${output}`;
  toolResult(ctx, id, content, code !== 0, code === 0 ? { stdout: output, stderr: '', interrupted: false, isImage: false, noOutputExpected: false } : `Error: ${content}`);
  return output;
}

async function writeTool(ctx: SimContext, file: string, content: string): Promise<void> {
  const id = newToolId();
  assistant(ctx, { type: 'tool_use', id, name: 'Write', input: { file_path: file, content } });
  const existed = existsSync(file);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, content);
  ctx.turns++;
  const msg = existed ? `The file ${file} has been updated successfully.` : `File created successfully at: ${file}`;
  toolResult(ctx, id, msg, false, { type: existed ? 'update' : 'create', filePath: file, content, structuredPatch: [], originalFile: null });
}

function quoteSh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One phase: log start, pause, log end, through the real helper when SPRINT_RUNNER_LOG is set. */
async function phase(ctx: SimContext, story: string, task: string, startMsg: string, endMsg: string): Promise<void> {
  const helper = process.env.SPRINT_RUNNER_LOG;
  const line = (status: string, msg: string): string =>
    helper
      ? `sh "$SPRINT_RUNNER_LOG" --story ${quoteSh(story)} ${quoteSh(task)} ${status} ${quoteSh(msg)}`
      : `echo ${quoteSh(`${Math.floor(Date.now() / 1000)},${ctx.epicId},${story},${ctx.label},${task},${status},"${msg.replace(/"/g, '""')}"`)}`;
  await bashTool(ctx, line('start', startMsg), `Log ${task} start`);
  await sleep(phaseDelay(ctx));
  await bashTool(ctx, line('end', endMsg), `Log ${task} end`);
}

// ---------------------------------------------------------------- workspace

interface Paths {
  artifacts: string;
  planning: string;
  /** Where generate-project-context writes: the runner's SPRINT_RUNNER_CONTEXT_FILE, else BMAD's `{output_folder}`. */
  contextFile: string;
  ledger?: string;
}

function configValue(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:\\s*['"]?([^'"\\n#]+?)['"]?\\s*(#.*)?$`, 'm').exec(text);
  return m?.[1].trim();
}

function workspacePaths(cwd: string, env: NodeJS.ProcessEnv): Paths {
  let artifacts = env.SPRINT_RUNNER_ARTIFACTS;
  let planning: string | undefined;
  let output: string | undefined;
  const config = [path.join(cwd, '_bmad', 'bmm', 'config.yaml'), path.join(cwd, 'bmad', 'bmm', 'config.yaml'), path.join(cwd, '.bmad', 'bmm', 'config.yaml')].find((p) =>
    existsSync(p),
  );
  if (config) {
    const text = readFileSync(config, 'utf8');
    const resolve = (v: string | undefined): string | undefined => (v ? path.resolve(cwd, v.replace('{project-root}', cwd)) : undefined);
    output = resolve(configValue(text, 'output_folder'));
    const expand = (v: string | undefined) => (v && output ? v.replace('{output_folder}', output) : v);
    artifacts ??= resolve(expand(configValue(text, 'implementation_artifacts') ?? configValue(text, 'sprint_artifacts')));
    planning = resolve(expand(configValue(text, 'planning_artifacts')));
  }
  artifacts ??= path.join(cwd, '_bmad-output', 'implementation-artifacts');
  planning ??= path.join(path.dirname(artifacts), 'planning-artifacts');
  output ??= path.join(cwd, '_bmad-output');
  const contextFile = env.SPRINT_RUNNER_CONTEXT_FILE || path.join(output, 'project-context.md');
  const ledger =
    env.SPRINT_RUNNER_LEDGER ||
    [path.join(artifacts, 'sprint-status.yaml'), path.join(cwd, 'docs', 'sprint-status.yaml'), path.join(cwd, 'sprint-status.yaml')].find((p) => existsSync(p));
  return { artifacts, planning, contextFile, ledger };
}

/**
 * Sets `key: value` in sprint-status.yaml, touching only the value's bytes (comments and layout kept), and only if
 * the file did not change since it was read (else again), as a careful agent would: others write it too.
 */
async function setLedgerStatus(ledger: string | undefined, key: string, to: string, onlyFrom?: string[]): Promise<void> {
  if (!ledger) return;
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await fsp.readFile(ledger, 'utf8');
    const re = new RegExp(`^([ \\t]+${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*:[ \\t]*)([A-Za-z-]+)`, 'm');
    const m = re.exec(text);
    if (!m || (onlyFrom && !onlyFrom.includes(m[2]))) return;
    const at = m.index + m[1].length;
    if (await writeFileAtomic(ledger, text.slice(0, at) + to + text.slice(at + m[2].length), text)) return;
  }
}

// ---------------------------------------------------------------- commands

function titleOf(key: string): string {
  const words = key.split('-').slice(shortIdOf(key).split('-').length);
  return words.length > 0 ? words.map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') : key;
}

async function doWork(ctx: SimContext, paths: Paths): Promise<string> {
  const r = ctx.rule;
  const lines: string[] = [];
  const marker = (s: string): void => {
    if (!r.omitMarkers) lines.push(s);
  };
  switch (ctx.command) {
    case 'generate-project-context': {
      const story = ctx.storyIds[0] ?? 'context';
      await phase(ctx, story, 'setup', 'Scanning the project', 'Project scanned (files:12)');
      await writeTool(ctx, paths.contextFile, `# Project Context\n\nGenerated by sim-claude at ${new Date().toISOString()}.\n\n- Language: TypeScript\n- Tests: npm test\n`);
      lines.push('Project context written.');
      break;
    }
    case 'create-story':
      for (let i = 0; i < ctx.storyKeys.length; i++) {
        const key = ctx.storyKeys[i];
        const id = ctx.storyIds[i];
        await phase(ctx, id, 'setup', `Initializing story creation for ${id}`, 'Setup complete (files:1)');
        await phase(ctx, id, 'generate', 'Generating story content', 'Story content generated (lines:42)');
        await writeTool(
          ctx,
          path.join(paths.artifacts, `${key}.md`),
          `# Story ${id}: ${titleOf(key)}\n\nStatus: ready-for-dev\n\n## Story\n\nAs a user, I want ${titleOf(key).toLowerCase()}, so that the sprint moves on.\n\n## Acceptance Criteria\n\n1. It works.\n\n## Tasks / Subtasks\n\n- [ ] Implement ${id}\n`,
        );
        await setLedgerStatus(paths.ledger, key, 'ready-for-dev', ['backlog']);
        // As BMAD's create-story does for the first story of an epic.
        await setLedgerStatus(paths.ledger, `epic-${epicOf(id)}`, 'in-progress', ['backlog']);
        await phase(ctx, id, 'validate', 'Validating story structure', 'Validation passed (sections:4)');
        marker(`Story ${id}: [TECH-SPEC-DECISION: ${r.techSpec ?? 'SKIP'}]`);
      }
      lines.unshift(`Created ${ctx.storyKeys.length} story file(s).`);
      break;
    case 'create-story-discovery':
      for (let i = 0; i < ctx.storyKeys.length; i++) {
        const key = ctx.storyKeys[i];
        await phase(ctx, ctx.storyIds[i], 'explore', `Exploring codebase for ${ctx.storyIds[i]}`, 'Patterns identified (files:7)');
        await writeTool(ctx, path.join(paths.artifacts, `${key}-discovery-story.md`), `# Discovery: ${key}\n\n- Relevant files: src/\n- Patterns: small modules, tests next to code\n`);
      }
      lines.push('Discovery files written.');
      break;
    case 'story-review':
    case 'tech-spec-review': {
      const id = ctx.storyIds[0];
      await phase(ctx, id, 'setup', `Loading ${ctx.command === 'story-review' ? 'story' : 'tech-spec'} ${id} for review`, 'Files loaded');
      await phase(ctx, id, 'analyze', 'Analyzing quality', `Analysis complete (issues:${r.criticalIssues ? 1 : 0})`);
      if (r.criticalIssues) await phase(ctx, id, 'fix', 'Fixing identified issues', 'Issues fixed (issues:1)');
      lines.push(r.criticalIssues ? 'Found a critical gap in the acceptance criteria and fixed it.' : 'No critical issues.');
      marker(`[CRITICAL-ISSUES-FOUND: ${r.criticalIssues ? 'YES' : 'NO'}]`);
      break;
    }
    case 'create-tech-spec': {
      const key = ctx.storyKeys[0];
      const id = ctx.storyIds[0];
      await phase(ctx, id, 'discover', 'Discovering technical requirements', 'Discovery complete (files:5)');
      await writeTool(ctx, path.join(paths.artifacts, `tech-spec-${key}.md`), `# Tech Spec: ${key}\n\n## Approach\n\nSmall module under src/.\n\n## Tests\n\nUnit tests.\n`);
      await phase(ctx, id, 'validate', 'Validating tech-spec', 'Validation passed');
      lines.push('Tech spec written.');
      break;
    }
    case 'dev-story': {
      const key = ctx.storyKeys[0];
      const id = ctx.storyIds[0];
      await setLedgerStatus(paths.ledger, key, 'in-progress', ['ready-for-dev', 'in-progress', 'backlog', 'drafted', 'contexted']);
      await phase(ctx, id, 'setup', `Loading implementation context for ${id}`, 'Context loaded (files:3)');
      const file = path.join(ctx.cwd, 'src', `story-${id.replace(/[^A-Za-z0-9-]/g, '_')}.js`);
      await writeTool(ctx, file, `// ${key}: implemented by sim-claude (attempt ${ctx.attempt})\nexport function story_${id.replace(/[^A-Za-z0-9]/g, '_')}() {\n  return '${id} done';\n}\n`);
      await phase(ctx, id, 'tests', 'Writing and running tests', 'Tests complete (tests:4 passed)');
      await setLedgerStatus(paths.ledger, key, 'review', ['in-progress']);
      lines.push(`Implemented ${id}; status set to review.`);
      break;
    }
    case 'code-review': {
      const id = ctx.storyIds[0];
      const findings = r.findings ?? [];
      await phase(ctx, id, 'setup', `Loading code for review (${id})`, 'Code loaded (files:2)');
      await phase(ctx, id, 'analyze', 'Analyzing code quality', `Analysis complete (issues:${findings.length} found)`);
      if (findings.length > 0) await phase(ctx, id, 'fix', 'Applying code fixes', `Fixes applied (issues:${findings.length} fixed)`);
      const count = (s: SimFinding['severity']): number => findings.filter((f) => f.severity === s).length;
      const highest = (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const).find((s) => count(s) > 0) ?? 'NONE';
      lines.push(findings.length > 0 ? `Review of ${id} found ${findings.length} issue(s):` : `Review of ${id} complete.`);
      for (const f of findings) marker(`- [${f.severity}] ${f.text}`);
      marker(`Issues: ${count('CRITICAL')} CRITICAL, ${count('HIGH')} HIGH, ${count('MEDIUM')} MEDIUM, ${count('LOW')} LOW`);
      marker(`HIGHEST SEVERITY: ${highest}`);
      if (findings.length === 0) marker('ZERO ISSUES');
      break;
    }
    case 'batch-commit': {
      const ids = ctx.storyIds.join(',');
      const id = ctx.storyIds[0];
      await phase(ctx, id, 'setup', `Loading commit context for ${ids}`, 'Context loaded');
      // As 003 step 4c says, with the engine's own rules: archive the stories' artifacts, delete their discovery files.
      const archiver = new EngineBatchCommitter();
      await archiver.archiveArtifacts(await archiver.planArtifacts({ storyKeys: ctx.storyKeys, artifactsDir: paths.artifacts }));
      if (existsSync(path.join(ctx.cwd, '.git'))) {
        const msg = `feat(${ctx.epicId}): implement stories ${ids}`;
        await bashTool(ctx, `git add -A && git -c user.name=sim-claude -c user.email=sim-claude@localhost commit -q -m ${quoteSh(msg)} && git log -1 --format=%H`, 'Commit the batch');
        lines.push(`Committed: ${msg}`);
      } else {
        lines.push('Not a git repository: nothing committed.');
      }
      await phase(ctx, id, 'validate', 'Validating commit', 'Commit validated');
      break;
    }
    default: {
      const id = ctx.storyIds[0] ?? 'x';
      await phase(ctx, id, 'setup', `Working on ${ctx.command}`, 'Done');
      lines.push(`Finished ${ctx.command}.`);
    }
  }
  for (const d of r.deferred ?? []) lines.push(`DEFERRED: ${d}`);
  if (r.text) lines.push(r.text);
  return lines.join('\n');
}

// ---------------------------------------------------------------- result lines

function usageFor(ctx: SimContext): { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number } {
  const input = 900 + 350 * ctx.turns;
  const cacheRead = 14000 * Math.max(1, ctx.turns);
  const cacheWrite = 6000;
  const output = 400 + 120 * ctx.turns;
  // Sonnet list prices per million tokens: 3 in, 15 out, 0.30 cache read, 3.75 cache write.
  const cost = (input * 3 + output * 15 + cacheRead * 0.3 + cacheWrite * 3.75) / 1_000_000;
  return { input, output, cacheRead, cacheWrite, cost };
}

function resultLine(ctx: SimContext, fields: Record<string, unknown>, zeroUsage = false): void {
  const u = zeroUsage ? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 } : usageFor(ctx);
  out({
    type: 'result',
    subtype: 'success',
    is_error: false,
    api_error_status: null,
    duration_ms: Date.now() - ctx.started,
    duration_api_ms: Math.round((Date.now() - ctx.started) * 0.6),
    num_turns: Math.max(1, ctx.turns),
    stop_reason: 'end_turn',
    session_id: ctx.sessionId,
    total_cost_usd: u.cost,
    usage: {
      input_tokens: u.input,
      cache_creation_input_tokens: u.cacheWrite,
      cache_read_input_tokens: u.cacheRead,
      output_tokens: u.output,
      server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      service_tier: 'standard',
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: u.cacheWrite },
      inference_geo: '',
      iterations: [],
      speed: 'standard',
    },
    modelUsage: zeroUsage
      ? {}
      : {
          [ctx.model]: {
            inputTokens: u.input,
            outputTokens: u.output,
            cacheReadInputTokens: u.cacheRead,
            cacheCreationInputTokens: u.cacheWrite,
            webSearchRequests: 0,
            costUSD: u.cost,
            contextWindow: 200000,
            maxOutputTokens: 32000,
          },
        },
    permission_denials: [],
    terminal_reason: 'completed',
    fast_mode_state: 'off',
    uuid: randomUUID(),
    ...fields,
  });
}

const API_FAILURES: Record<string, { status: number | null; error: string; text: string; retried: boolean; type: string }> = {
  overloaded: { status: 529, error: 'overloaded', type: 'overloaded_error', retried: true, text: 'API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.' },
  'rate-limit': { status: 429, error: 'rate_limit', type: 'rate_limit_error', retried: true, text: 'API Error: Request rejected (429) · Rate limited' },
  'server-error': { status: 500, error: 'server_error', type: 'api_error', retried: true, text: 'API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a moment.' },
  auth: { status: 401, error: 'authentication_failed', type: 'authentication_error', retried: true, text: 'Invalid API key · Fix external API key' },
  'invalid-request': { status: 400, error: 'unknown', type: 'invalid_request_error', retried: false, text: 'API Error: 400 messages: bad request' },
  'no-connection': { status: null, error: 'unknown', type: 'connection_error', retried: true, text: 'API Error: Unable to connect to API (ConnectionRefused)' },
};

async function apiFailure(ctx: SimContext, kind: string): Promise<number> {
  const f = API_FAILURES[kind];
  const max = Number(process.env.CLAUDE_CODE_MAX_RETRIES ?? 2);
  if (f.retried) {
    for (let attempt = 1; attempt <= max; attempt++) {
      out({ type: 'system', subtype: 'api_retry', attempt, max_retries: max, retry_delay_ms: 50 * attempt, error_status: f.status, error: f.error, session_id: ctx.sessionId, uuid: randomUUID() });
      await sleep(Math.min(phaseDelay(ctx), 100));
    }
  }
  out({
    type: 'assistant',
    message: {
      id: randomUUID(), container: null, model: '<synthetic>', role: 'assistant', stop_details: null, stop_reason: 'stop_sequence', stop_sequence: '', type: 'message',
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      content: [{ type: 'text', text: f.text }], context_management: null,
    },
    parent_tool_use_id: null, session_id: ctx.sessionId, uuid: randomUUID(), error: f.error,
  });
  resultLine(ctx, { is_error: true, api_error_status: f.status, result: f.text, stop_reason: 'stop_sequence', num_turns: 1 }, true);
  return 1;
}

/** The subscription's usage window is closed: a rejected `rate_limit_event`, then the CLI's limit text with the reset. */
function usageLimit(ctx: SimContext): number {
  const resetsAt = Math.floor(Date.now() / 1000) + (ctx.rule.resetInSeconds ?? 3);
  const rateLimitType = ctx.rule.rateLimitType ?? 'five_hour';
  out({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType, overageStatus: 'rejected', isUsingOverage: false }, uuid: randomUUID(), session_id: ctx.sessionId });
  const text = `Claude AI usage limit reached|${resetsAt}`;
  out({
    type: 'assistant',
    message: {
      id: randomUUID(), container: null, model: '<synthetic>', role: 'assistant', stop_details: null, stop_reason: 'stop_sequence', stop_sequence: '', type: 'message',
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      content: [{ type: 'text', text }], context_management: null,
    },
    parent_tool_use_id: null, session_id: ctx.sessionId, uuid: randomUUID(), error: 'rate_limit',
  });
  resultLine(ctx, { is_error: true, api_error_status: 429, result: text, stop_reason: 'stop_sequence', num_turns: 1 }, true);
  return 1;
}

async function hang(ctx: SimContext): Promise<number> {
  const id = newToolId();
  // The CLI handles SIGINT all along: install the handler before the tool starts.
  const interrupted = new Promise<number>((resolve) => {
    process.on('SIGINT', () => {
      if (ctx.rule.ignoreSigint) return;
      toolResult(ctx, id, '[Request interrupted by user for tool use]', true, 'Error: [Request interrupted by user for tool use]');
      resultLine(ctx, { subtype: 'error_during_execution', is_error: true, errors: ['Request was aborted.'], terminal_reason: 'aborted' });
      resolve(1);
    });
  });
  assistant(ctx, { type: 'tool_use', id, name: 'Bash', input: { command: `sleep ${ctx.rule.sleepSeconds ?? 1000} &`, description: 'Long-running background job' } });
  // Like the Bash tool: the job runs in its own session; it outlives us unless the orchestrator kills it.
  const bg = spawn('sleep', [String(ctx.rule.sleepSeconds ?? 1000)], { detached: true, stdio: 'ignore' });
  bg.unref();
  const keepAlive = setInterval(() => undefined, 60_000);
  const code = await interrupted;
  clearInterval(keepAlive);
  return code;
}

async function simulate(ctx: SimContext): Promise<number> {
  out({
    type: 'system', subtype: 'init', cwd: ctx.cwd, session_id: ctx.sessionId,
    tools: ['Task', 'Bash', 'Edit', 'Glob', 'Grep', 'Read', 'Write', 'WebFetch', 'WebSearch', 'TodoWrite'],
    mcp_servers: [], model: ctx.model, permissionMode: ctx.args.permissionMode, slash_commands: ctx.slashCommands, apiKeySource: 'none',
    claude_code_version: VERSION, output_style: 'default', agents: ['general-purpose'], skills: [], plugins: [],
    uuid: randomUUID(), fast_mode_state: 'off',
  });
  await sleep(Math.min(phaseDelay(ctx), 200));
  const fail = ctx.rule.fail;
  if (fail && API_FAILURES[fail]) return apiFailure(ctx, fail);
  switch (fail) {
    case 'usage-limit':
      return usageLimit(ctx);
    case 'hang':
      return hang(ctx);
    case 'chatty':
      for (let n = 1; ; n++) {
        out({ type: 'system', subtype: 'thinking_tokens', estimated_tokens: n * 6, estimated_tokens_delta: 6, session_id: ctx.sessionId, uuid: randomUUID() });
        await sleep(100);
      }
    case 'signal':
      assistant(ctx, { type: 'text', text: 'Starting.' });
      await sleep(50);
      process.kill(process.pid, 'SIGKILL');
      return 1;
    case 'no-result':
      assistant(ctx, { type: 'text', text: 'Working on it…' });
      return ctx.rule.exitCode ?? 0;
    case 'stderr-error':
      process.stderr.write('Error: sim-claude was told to fail with a CLI error\n');
      return 1;
    case 'max-turns': {
      const max = ctx.args.maxTurns ?? 2;
      for (let i = 0; i < max; i++) await bashTool(ctx, `echo loop-step-${i}`, `loop ${i}`);
      resultLine(ctx, { subtype: 'error_max_turns', is_error: true, errors: [`Reached maximum number of turns (${max})`], stop_reason: 'tool_use', terminal_reason: 'max_turns', result: undefined, num_turns: max + 1 });
      return 1;
    }
    case 'budget': {
      await bashTool(ctx, 'echo loop-step-0', 'loop 0');
      const budget = ctx.args.maxBudgetUsd ?? 0.001;
      resultLine(ctx, { subtype: 'error_max_budget_usd', is_error: true, errors: [`Reached maximum budget ($${budget})`], stop_reason: 'tool_use', terminal_reason: 'budget_exhausted', result: undefined });
      return 1;
    }
    default:
      break;
  }
  if (fail === 'malformed') {
    process.stdout.write('Warning: sim-claude printed a line that is not JSON\n');
    process.stdout.write('{"type":"assistant","message":{"content":[{"type":"text","text":"truncated\n');
  }
  if (fail === 'big-line') {
    const row = `${Math.floor(Date.now() / 1000)},${ctx.epicId},${ctx.storyIds[0]},${ctx.label},setup,start,"Big output follows"`;
    const id = newToolId();
    assistant(ctx, { type: 'tool_use', id, name: 'Bash', input: { command: 'cat big.log', description: 'Print a big file' } });
    const big = `${row}\n${'y'.repeat(5 * 1024 * 1024)}`;
    toolResult(ctx, id, big, false, { stdout: big, stderr: '', interrupted: false, isImage: false, noOutputExpected: false });
  }
  if (ctx.rule.nothing || (ctx.rule.asks && !ctx.args.resumeSessionId)) {
    const text = ctx.rule.nothing ? 'All done! Everything is in place.' : 'There are two ways to do this: a new module or an extension of the existing one. Which option do you prefer?';
    assistant(ctx, { type: 'text', text });
    ctx.turns++;
    resultLine(ctx, { result: text });
    return 0;
  }
  const paths = workspacePaths(ctx.cwd, process.env);
  const text = await doWork(ctx, paths);
  assistant(ctx, { type: 'text', text });
  ctx.turns++;
  resultLine(ctx, { result: text });
  return 0;
}

async function main(): Promise<number> {
  const env = process.env;
  // `claude auth status` answers locally with JSON; the simulator needs no login (SIM_CLAUDE_LOGGED_OUT=1 plays a logged-out CLI).
  if (process.argv[2] === 'auth' && process.argv[3] === 'status') {
    const loggedIn = env.SIM_CLAUDE_LOGGED_OUT !== '1';
    process.stdout.write(`${JSON.stringify({ loggedIn, authMethod: loggedIn ? 'simulator' : 'none' })}\n`);
    return loggedIn ? 0 : 1;
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(process.argv.slice(2));
    validate(args, env);
  } catch (err) {
    if (err instanceof CliExit) {
      (err.code === 0 ? process.stdout : process.stderr).write(`${err.stderr}\n`);
      return err.code;
    }
    throw err;
  }
  const prompt = args.promptArg ?? (await readStdin());
  if (prompt.trim() === '') {
    process.stderr.write('Error: Input must be provided either through stdin or as a prompt argument when using --print\n');
    return 1;
  }
  let scenario: SimScenario;
  try {
    scenario = loadScenario(env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const cwd = process.cwd();
  const storyKeys = (env.SPRINT_RUNNER_STORY_KEYS ?? env.SPRINT_RUNNER_STORY_IDS ?? '').split(',').filter(Boolean);
  const storyIds = (env.SPRINT_RUNNER_STORY_IDS ?? '').split(',').filter(Boolean);
  while (storyIds.length < storyKeys.length) storyIds.push(shortIdOf(storyKeys[storyIds.length]));
  const command = env.SPRINT_RUNNER_COMMAND ?? 'prompt';
  const attempt = Number(env.SPRINT_RUNNER_ATTEMPT ?? 1) || 1;
  const rule = pickRule(scenario, env, cwd, command, storyKeys, storyIds, attempt);
  const ctx: SimContext = {
    args,
    prompt,
    scenario,
    rule,
    command,
    label: env.SPRINT_RUNNER_COMMAND_LABEL ?? command,
    attempt,
    storyKeys,
    storyIds,
    epicId: env.SPRINT_RUNNER_EPIC_ID ?? (storyIds[0] ? storyIds[0].replace(/-[^-]*$/, '') : ''),
    cwd,
    sessionId: args.resumeSessionId ?? args.sessionId ?? randomUUID(),
    model: args.model === 'haiku' ? 'claude-haiku-4-5-20251001' : args.model === 'opus' ? 'claude-opus-4-1-20250805' : args.model && args.model !== 'sonnet' ? args.model : (scenario.model ?? 'claude-sonnet-4-5-20250929'),
    started: Date.now(),
    turns: 0,
    slashCommands: await listSlashCommands(cwd),
  };
  return simulate(ctx);
}

if (require.main === module) {
  // A reader that went away (`| head`) ends us quietly, like the real CLI.
  process.stdout.on('error', () => process.exit(1));
  main().then(
    (code) => {
      // Let stdout drain before exiting (a 5 MB line must arrive whole).
      if (process.stdout.writableLength === 0) process.exit(code);
      process.stdout.once('drain', () => process.exit(code));
    },
    (err: unknown) => {
      process.stderr.write(`sim-claude crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
