// The composition of ledger + store + Claude agent + engine, shared by the CLI and the extension.
// One session owns one state folder and one ledger: it holds the state lock and the ledger lock for its
// whole life (unless read-only), reaps children an earlier crashed orchestrator left behind, and honours
// `sprint-runner stop`.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRegistry } from '../core/agent/AgentContract';
import { detectBmadInstall, type BmadInstall } from '../core/bmad/BmadInstall';
import { bmadDoctorCheck, describeMissingWorkflows, mappingRows, missingWorkflowsFix, type DoctorCheckResult } from '../core/bmad/bmadDoctorCheck';
import { BmadWorkflowsMissingError } from '../core/bmad/BmadWorkflowsMissingError';
import { mapWorkflows, type MissingWorkflowPolicy, type WorkflowMapping } from '../core/bmad/mapWorkflows';
import { WorkflowPromptSource } from '../core/prompts/WorkflowPromptSource';
import { Emitter, type Event } from '../core/Emitter';
import type { CommitReviewPort } from '../core/workflow/CommitReviewPort';
import type { SprintLedgerPort, StoryStatus } from '../core/ledger/LedgerTypes';
import { SprintLedger } from '../core/ledger/SprintLedger';
import type { SprintEvent } from '../core/SprintEvents';
import type { RunStore } from '../core/store/RunStore';
import { defaultEngineSettings, type EngineSettings } from '../core/workflow/EngineSettings';
import { PROGRESS_LOG_FILE } from '../core/workflow/GitPort';
import { SprintRunner, type RunOptions, type RunResult } from '../core/workflow/SprintRunner';
import { discoverWorkspace } from '../core/workspace/discoverWorkspace';
import type { WorkspaceLayout } from '../core/workspace/WorkspaceLayout';
import { ClaudeAgent, type ClaudeAgentOptions } from '../infra/claude/ClaudeAgent';
import { reapOrphans } from '../infra/claude/ChildRegistry';
import { NodeGitPort } from '../infra/git/NodeGitPort';
import { NodeLanePort } from '../infra/git/NodeLanePort';
import { NodeQualityGates } from '../infra/gates/NodeQualityGates';
import { LedgerLock } from '../infra/LedgerLock';
import { NodeFileSystem, writeFileAtomic } from '../infra/NodeFileSystem';
import { NodeScriptRunner } from '../infra/NodeScriptRunner';
import { PromptLibrary } from '../infra/PromptLibrary';
import { SqlJsRunStore } from '../infra/store/SqlJsRunStore';
import { checkStateFolder, STATE_GITIGNORE } from '../infra/StateFolderGuard';
import { clearStopRequest, readStopRequest, StateLock } from '../infra/store/StateLock';

export type SessionLogLevel = 'info' | 'warn' | 'error';

export interface SprintSessionOptions {
  workspaceRoot: string;
  stateDir: string;
  ledgerOverride?: string;
  /**
   * The claude-compatible program. A `.js`/`.cjs`/`.mjs` file runs under this process's Node (so a
   * simulator works where `node` is not on PATH, e.g. inside the editor).
   */
  claude: { command: string; args: string[] };
  engine?: Partial<EngineSettings>;
  agent?: Partial<Omit<ClaudeAgentOptions, 'command' | 'commandArgs' | 'logDir' | 'stateDir'>>;
  /** Folder holding dist/, prompts/ and media/ (the extension root, or the package root for the CLI). */
  extensionRoot: string;
  /** Open the store read-only and take no lock (status readers while another process runs). */
  readOnly?: boolean;
  /** Extra environment for every agent. */
  env?: Record<string, string>;
  onLog?: (level: SessionLogLevel, message: string) => void;
  /** Who runs this session (`sprint-runner CLI`, `VS Code extension`): named to a second runner refused by the ledger lock. */
  frontEnd?: string;
  /**
   * Where the run database lives: a worker thread (default: the CLI) or its own child process (the
   * extension host: sql.js' memory then is not the editor's; docs/state.md), and its CPU priority.
   */
  database?: { where?: 'worker' | 'process'; priority?: 'low' | 'normal' };
  /** How often `sprint-runner stop` requests are looked for while a run is active. */
  stopPollMs?: number;
  /**
   * Git integration. Commit mode, quality gates, maxParallel, independent stories, the final
   * merge and the sprint report are engine settings (`engine`); these are the session-level choices.
   */
  git?: SprintSessionGitOptions;
  /** How the installed BMAD workflows are used (docs/workflow.md). */
  bmad?: SprintSessionBmadOptions;
  /** Asks the human before each batch commit when `engine.reviewBeforeCommit` is on (the front end's dialog). */
  commitReview?: CommitReviewPort;
}

export interface SprintSessionBmadOptions {
  /** A Claude Code BMAD install lacking create-story/dev-story/code-review: refuse the run (default) or use the runner's prompts. */
  missingWorkflows?: MissingWorkflowPolicy;
  /** Whose `~/.claude` commands and skills count (default: this user's home). */
  homeDir?: string;
}

/** The BMAD install of the workspace and what each step runs on it. */
export interface SessionBmad {
  install: BmadInstall;
  mapping: WorkflowMapping;
  policy: MissingWorkflowPolicy;
  /** The doctor's check for it. */
  check: DoctorCheckResult;
}

export interface SprintSessionGitOptions {
  /** Verify the batch-commit agent's commit when the workspace is a git repository. Default true. */
  verifyCommits?: boolean;
  /** Parallel mode: the sprint branch is `sprint/{sprintId}`; default `s-` + a hash of the ledger path (stable across batches). */
  sprintId?: string;
  /** Parallel mode: where lane worktrees go; default `{stateDir}/worktrees/{sprintId}` (outside the checkout's tracked files). */
  worktreesDir?: string;
  /** Parallel mode: the branch the sprint branch starts from (and may merge into); default the current branch. */
  baseBranch?: string;
}

/** Resume story was asked for a story that is not in the ledger, or already done. */
export class StoryNotResumableError extends Error {
  override readonly name = 'StoryNotResumableError';
}

export class SprintSession {
  private readonly emitter = new Emitter<SprintEvent>();
  readonly onDidEmit: Event<SprintEvent> = this.emitter.event;
  private stopPoll: NodeJS.Timeout | undefined;
  private disposed = false;
  private reaped?: Promise<void>;

  private constructor(
    readonly bmad: SessionBmad,
    readonly layout: WorkspaceLayout,
    readonly ledger: SprintLedgerPort,
    readonly store: RunStore,
    readonly runner: SprintRunner | undefined,
    private readonly agent: ClaudeAgent | undefined,
    private readonly lock: StateLock | undefined,
    private readonly options: SprintSessionOptions,
    private readonly ledgerLock?: LedgerLock,
  ) {
    runner?.onDidEmit((e) => this.emitter.fire(e));
  }

  static async open(o: SprintSessionOptions): Promise<SprintSession> {
    const log = o.onLog ?? (() => undefined);
    const fs = new NodeFileSystem();
    const layout = await discoverWorkspace(o.workspaceRoot, fs, { ledgerOverride: o.ledgerOverride });
    const ledger = new SprintLedger(layout.ledgerPath, fs);
    // Before anything is written there: a state folder that is part of the project is refused.
    const stateFolder = o.readOnly ? undefined : await checkStateFolder(o.stateDir);
    await fs.mkdirp(o.stateDir);
    const install = await detectBmadInstall(layout.root, fs, { homeDir: o.bmad?.homeDir ?? os.homedir() });
    const policy = o.bmad?.missingWorkflows ?? 'refuse';
    const mapping = mapWorkflows(install, policy);
    const bmad: SessionBmad = { install, mapping, policy, check: bmadDoctorCheck(install, mapping, policy) };

    if (o.readOnly) {
      const store = await SqlJsRunStore.open({ stateDir: o.stateDir, readOnly: true, ...storeLocation(o), onWarning: (m) => log('warn', m) });
      return new SprintSession(bmad, layout, ledger, store, undefined, undefined, undefined, o);
    }

    const lock = StateLock.acquire(o.stateDir, { purpose: `sprint-runner session for ${layout.root}` });
    if (lock.tookOver) log('warn', `Took over a stale lock in ${o.stateDir} left by a process that is gone.`);
    let ledgerLock: LedgerLock | undefined;
    try {
      // One runner per ledger too: another state folder (the other front end, another --state-dir) must not run the same stories.
      ledgerLock = LedgerLock.acquire(layout.ledgerPath, { purpose: `${o.frontEnd ?? 'Sprint Runner'} with state folder ${o.stateDir}` });
      const store = await SqlJsRunStore.open({ stateDir: o.stateDir, ...storeLocation(o), onWarning: (m) => log('warn', m) });
      const orphans = await store.reconcileOrphans();
      if (orphans.commands.length > 0) {
        log('info', `Closed ${orphans.commands.length} command record(s) left open by an interrupted run.`);
      }
      const { command, commandArgs, env: programEnv } = resolveProgram(o.claude);
      const agent = new ClaudeAgent({
        ...o.agent,
        command,
        commandArgs,
        // Agents are told where the ledger and the project context are, whatever BMAD's config says.
        env: { ...programEnv, SPRINT_RUNNER_LEDGER: layout.ledgerPath, SPRINT_RUNNER_CONTEXT_FILE: layout.projectContextPath, ...o.agent?.env },
        logDir: path.join(o.stateDir, 'logs'),
        stateDir: o.stateDir,
        progressHelperPath: o.agent?.progressHelperPath ?? path.join(o.extensionRoot, 'media', 'sprint-log.sh'),
      });
      const settings: EngineSettings = { ...defaultEngineSettings(), sprintReport: true, ...stripUndefined(o.engine ?? {}) };
      // The state folder (database, logs, lane worktrees) never shows up in `git status` of the workspace.
      const ignoreFile = path.join(o.stateDir, '.gitignore');
      if (stateFolder?.mayIgnoreAll && !existsSync(ignoreFile)) await writeFileAtomic(ignoreFile, STATE_GITIGNORE);
      else if (stateFolder && !stateFolder.mayIgnoreAll && !existsSync(ignoreFile)) {
        log('warn', `${o.stateDir} also holds files that are not Sprint Runner's, so no .gitignore was written there. If it is inside the repository, add it to your .gitignore so no commit picks up the run database and logs.`);
      }
      const gitPort = await NodeGitPort.detect(layout.root);
      const git = gitPort && (o.git?.verifyCommits !== false || settings.commitMode === 'engine') ? gitPort : undefined;
      const lanes =
        gitPort && (settings.maxParallel ?? 1) > 1
          ? await NodeLanePort.open({
              workspaceRoot: layout.root,
              sprintId: o.git?.sprintId ?? `s-${createHash('sha256').update(path.resolve(layout.ledgerPath)).digest('hex').slice(0, 8)}`,
              stateDir: o.stateDir,
              engineOwnedFiles: [layout.ledgerPath, path.join(layout.root, PROGRESS_LOG_FILE)],
              ...(o.git?.worktreesDir ? { worktreesRoot: o.git.worktreesDir } : {}),
              ...(o.git?.baseBranch ? { baseBranch: o.git.baseBranch } : {}),
            })
          : undefined;
      const runner = new SprintRunner({
        ledger,
        store,
        agents: new AgentRegistry(agent),
        prompts: new WorkflowPromptSource(
          new PromptLibrary({
            shippedDir: path.join(o.extensionRoot, 'prompts'),
            overrideDir: layout.promptOverrideDir,
            fs,
            onOverride: (command, file) => log('warn', `${command} uses the workspace prompt ${file} instead of the shipped one.`),
          }),
          mapping,
        ),
        fs,
        layout,
        settings,
        env: o.env,
        scripts: new NodeScriptRunner(),
        ...(git ? { git } : {}),
        gates: new NodeQualityGates(),
        ...(lanes ? { lanes } : {}),
        ...(o.commitReview ? { commitReview: o.commitReview } : {}),
      });
      return new SprintSession(bmad, layout, ledger, store, runner, agent, lock, o, ledgerLock);
    } catch (err) {
      ledgerLock?.release();
      lock.release();
      throw err;
    }
  }

  /** Set once the agent proved unusable (its first invocations never started a Claude session): a configuration error. */
  get agentUnusable(): string | undefined {
    return this.agent?.unusableReason;
  }

  get readOnly(): boolean {
    return this.runner === undefined;
  }

  run(options: RunOptions, onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    return this.whileActive(() => {
      this.checkBmadBeforeRun();
      return this.requireRunner().run(options, onProgress);
    });
  }

  resume(onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    return this.whileActive(() => {
      this.checkBmadBeforeRun();
      return this.requireRunner().resume(onProgress);
    });
  }

  /**
   * Before any agent is paid: refuses a run whose BMAD install lacks a workflow it needs (unless the
   * runner's prompts were chosen for them), and says once per run which workflow each step runs.
   */
  private checkBmadBeforeRun(): void {
    const { install, mapping, policy } = this.bmad;
    if (mapping.missing.length > 0 && policy === 'refuse') {
      throw new BmadWorkflowsMissingError(describeMissingWorkflows(install, mapping), mapping.missing, missingWorkflowsFix(install));
    }
    const log = this.options.onLog ?? (() => undefined);
    if (mapping.noClaudeInstall || mapping.missing.length > 0) log('warn', this.bmad.check.detail);
    else {
      const rows = mappingRows(mapping).map((r) => `${r.step} → ${r.runs}`);
      log('info', `BMAD ${install.version ?? install.generation}: ${rows.join(', ')}.`);
    }
  }

  /** Resume story: a blocked story goes back to the status it had before, then one cycle starts with it. */
  async resumeStory(storyKey: string, onProgress?: (e: SprintEvent) => void): Promise<RunResult> {
    const story = (await this.ledger.read()).stories.find((s) => s.key === storyKey || s.shortId === storyKey);
    if (!story) throw new StoryNotResumableError(`Story "${storyKey}" is not in ${this.layout.ledgerPath}.`);
    if (story.status === 'done') throw new StoryNotResumableError(`Story ${story.key} is already done.`);
    if (story.status === 'blocked') await this.unblockStory(story.key);
    return this.run({ cycles: 1, startWith: story.key }, onProgress);
  }

  pause(): void {
    this.runner?.pause();
  }

  stop(reason: string): void {
    this.runner?.cancel(reason);
  }

  async blockStory(storyKey: string, reason: string): Promise<void> {
    this.requireRunner();
    const { previous } = await this.ledger.setStatus(storyKey, 'blocked');
    if (previous !== 'blocked') {
      await this.store.recordBlock({ storyKey, previousStatus: previous, reason, blockedAt: Date.now() });
      this.emitter.fire({ type: 'story:status', at: Date.now(), storyKey, from: previous, to: 'blocked', reason });
    }
  }

  /** Sets a blocked story back to the status recorded when it was blocked (ready-for-dev/backlog when unknown). */
  async unblockStory(storyKey: string): Promise<StoryStatus> {
    this.requireRunner();
    const block = await this.store.openBlock(storyKey);
    let target: StoryStatus;
    if (block && isRestorable(block.previousStatus)) {
      target = block.previousStatus;
    } else {
      const storyFile = path.join(this.layout.implementationArtifacts, `${storyKey}.md`);
      target = (await new NodeFileSystem().exists(storyFile)) ? 'ready-for-dev' : 'backlog';
    }
    const { previous } = await this.ledger.setStatus(storyKey, target);
    await this.store.closeBlock(storyKey, Date.now());
    this.emitter.fire({ type: 'story:status', at: Date.now(), storyKey, from: previous, to: target, reason: 'unblocked' });
    return target;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.clearStopPoll();
    this.runner?.cancel('Sprint Runner is shutting down');
    await this.agent?.dispose();
    await this.store.close();
    this.ledgerLock?.release();
    this.lock?.release();
    this.emitter.dispose();
  }

  /**
   * For a process that must exit now (a second Ctrl+C): writes the database file and releases the
   * lock synchronously. Children still running are ended by the next start (orphan reaping).
   */
  closeNow(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearStopPoll();
    if (this.store instanceof SqlJsRunStore) this.store.closeSync();
    this.ledgerLock?.release();
    this.lock?.release();
  }

  private requireRunner(): SprintRunner {
    if (!this.runner) throw new Error('This Sprint Runner session is read-only (another process holds the state folder).');
    return this.runner;
  }

  private async whileActive<T>(work: () => Promise<T>): Promise<T> {
    this.startStopPoll();
    try {
      await this.reapOnce();
      return await work();
    } finally {
      this.clearStopPoll();
    }
  }

  /**
   * Ends what an earlier orchestrator of ours left running, once, when the first run starts: after the
   * ledger was read and validated by the caller, never merely because a state folder was opened.
   */
  private reapOnce(): Promise<void> {
    this.reaped ??= reapOrphans(this.options.stateDir).then(
      (r) => {
        if (r.killed.length > 0) this.options.onLog?.('warn', `Ended ${r.killed.length} process(es) left running by an earlier Sprint Runner that stopped abruptly.`);
        if (r.ignoredEntries > 0) {
          this.options.onLog?.('warn', `Ignored ${r.ignoredEntries} entr${r.ignoredEntries === 1 ? 'y' : 'ies'} of ${path.join(this.options.stateDir, 'children.json')} not written by this user in this boot; no process was signalled for them.`);
        }
      },
      (err: unknown) => this.options.onLog?.('warn', `Could not check for processes left by an earlier run: ${err instanceof Error ? err.message : String(err)}`),
    );
    return this.reaped;
  }

  private startStopPoll(): void {
    this.clearStopPoll();
    const dir = this.options.stateDir;
    clearStopRequest(dir);
    this.stopPoll = setInterval(() => {
      const request = readStopRequest(dir);
      if (!request) return;
      clearStopRequest(dir);
      this.options.onLog?.('info', `Stop requested (${request.reason}); stopping after the children exit.`);
      this.stop(request.reason ?? 'stop requested');
    }, this.options.stopPollMs ?? 500);
    this.stopPoll.unref?.();
  }

  private clearStopPoll(): void {
    if (this.stopPoll) clearInterval(this.stopPoll);
    this.stopPoll = undefined;
  }
}

function isRestorable(s: string): s is StoryStatus {
  return s === 'backlog' || s === 'ready-for-dev' || s === 'in-progress' || s === 'review';
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A script file runs under this process's Node; anything else is executed as given (no shell). */
export function resolveProgram(p: { command: string; args: string[] }): { command: string; commandArgs: string[]; env: Record<string, string> } {
  if (/\.(c|m)?js$/i.test(p.command)) {
    // In the extension host process.execPath is the editor's runtime; ELECTRON_RUN_AS_NODE makes it plain Node.
    return { command: process.execPath, commandArgs: [path.resolve(p.command), ...p.args], env: { ELECTRON_RUN_AS_NODE: '1' } };
  }
  return { command: p.command, commandArgs: p.args, env: {} };
}

function storeLocation(o: SprintSessionOptions): { thread: 'worker' | 'process'; databasePriority: 'low' | 'normal' } {
  return { thread: o.database?.where ?? 'worker', databasePriority: o.database?.priority ?? 'normal' };
}
