// A fake agent that behaves like the BMAD workflows the prompts run (writes the story, discovery and
// tech-spec files, moves statuses in the real ledger file), answers from a script keyed by
// command / story / attempt, and records every invocation for golden sequences.

import * as path from 'node:path';
import type { Agent, AgentOutcome, AgentRequest, AgentResult } from '../../src/core/agent/AgentContract';
import type { StepCommand } from '../../src/core/commands';
import type { FileSystem } from '../../src/core/fs/FileSystem';
import type { SprintLedgerPort, StoryStatus } from '../../src/core/ledger/LedgerTypes';
import { SprintLedger } from '../../src/core/ledger/SprintLedger';
import type { WorkspaceLayout } from '../../src/core/workspace/WorkspaceLayout';

export interface ScriptedReply {
  outcome?: AgentOutcome;
  /** Replaces the default output (the markers a happy agent prints). */
  output?: string;
  message?: string;
  errorClass?: string;
  /** A usage limit: its reset time (epoch ms), as ClaudeAgent reports it. */
  resetsAt?: number;
  deferred?: string[];
  costUsd?: number;
  /** false: do not write files nor move statuses (an agent that "forgot" its job). Default true on success. */
  effects?: boolean;
  /** Extra ledger moves, as a BMAD agent would write them. */
  setStatus?: Record<string, StoryStatus>;
  /** Runs before the answer (await a gate, throw nothing: to simulate a crash, never resolve). */
  before?: (req: AgentRequest) => Promise<void>;
  /** Runs after the default effects of a successful reply, in `req.cwd` (write files, commit, …). */
  work?: (req: AgentRequest) => Promise<void>;
}

/** A script entry: one reply for every match, or a queue consumed one invocation at a time (last one repeats). */
export type ScriptEntry = ScriptedReply | ScriptedReply[];

export interface Invocation {
  command: StepCommand;
  storyKeys: string[];
  /** Short ids from SPRINT_RUNNER_STORY_IDS. */
  storyIds: string[];
  attempt: number;
  model?: string;
  stepKey: string;
  prompt: string;
  env: Record<string, string>;
  /** Set when this invocation was in flight together with another one (create-story ∥ discovery). */
  concurrentGroup?: number;
  /** The session this invocation continued (`--resume <id>`), for a reminder. */
  resumeSessionId?: string;
  /** The session id this invocation reported (a new one, or the one it continued). */
  sessionId: string;
}

/** create-story and its discovery are started together by the engine; the fake waits this long for its sibling. */
const RENDEZVOUS_MS = 1000;
const PARALLEL_PAIR: readonly StepCommand[] = ['create-story', 'create-story-discovery'];

export interface ScriptedAgentOptions {
  ledger: SprintLedgerPort;
  fs: FileSystem;
  layout: WorkspaceLayout;
  /** Keys: `command`, `command story`, `command story aN` (story = short id, `+`-joined for pairs). */
  script?: Record<string, ScriptEntry>;
  /** create-story's decision when the script says nothing (default SKIP). */
  defaultDecision?: 'REQUIRED' | 'SKIP';
  /** Runs after every successful invocation's effects unless its reply has its own `work`. */
  work?: (req: AgentRequest) => Promise<void>;
}

export class ScriptedAgent implements Agent {
  readonly invocations: Invocation[] = [];
  private readonly consumed = new Map<string, number>();
  private readonly waiting = new Map<string, { inv: Invocation; arrived: () => void }>();
  private groups = 0;

  constructor(private readonly options: ScriptedAgentOptions) {}

  /**
   * One line per invocation: `code-review 1-2 a3 @haiku`; invocations that ran at the same time share
   * one line: `create-story ∥ create-story-discovery 1-1+1-2`. A reminder in the same session ends in ` resume`.
   */
  get sequence(): string[] {
    const lines: string[] = [];
    const seen = new Set<number>();
    for (const i of this.invocations) {
      const tail = `${i.storyIds.length ? ` ${i.storyIds.join('+')}` : ''}${i.attempt > 1 ? ` a${i.attempt}` : ''}${i.model ? ` @${i.model}` : ''}${i.resumeSessionId ? ' resume' : ''}`;
      if (i.concurrentGroup === undefined) {
        lines.push(`${i.command}${tail}`);
        continue;
      }
      if (seen.has(i.concurrentGroup)) continue;
      seen.add(i.concurrentGroup);
      const commands = this.invocations.filter((x) => x.concurrentGroup === i.concurrentGroup).map((x) => x.command).sort();
      lines.push(`${commands.join(' ∥ ')}${tail}`);
    }
    return lines;
  }

  /** Waits for the sibling of a parallel pair (same cycle, same stories) to start too. */
  private async rendezvous(inv: Invocation): Promise<void> {
    const id = `${inv.stepKey.split('/')[0]} ${inv.storyKeys.join('+')}`;
    const sibling = this.waiting.get(id);
    if (sibling && sibling.inv.command !== inv.command) {
      this.waiting.delete(id);
      inv.concurrentGroup = sibling.inv.concurrentGroup = ++this.groups;
      sibling.arrived();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiting.get(id)?.inv === inv) this.waiting.delete(id);
        resolve();
      }, RENDEZVOUS_MS);
      this.waiting.set(id, { inv, arrived: () => (clearTimeout(timer), resolve()) });
    });
  }

  async execute(req: AgentRequest): Promise<AgentResult> {
    const storyIds = req.env.SPRINT_RUNNER_STORY_IDS ? req.env.SPRINT_RUNNER_STORY_IDS.split(',') : [];
    const inv: Invocation = {
      command: req.command,
      storyKeys: req.storyKeys,
      storyIds,
      attempt: req.attempt,
      model: req.model,
      stepKey: req.stepKey,
      prompt: req.prompt,
      env: req.env,
      ...(req.resumeSessionId ? { resumeSessionId: req.resumeSessionId } : {}),
      sessionId: req.resumeSessionId ?? `session-${this.invocations.length + 1}`,
    };
    this.invocations.push(inv);
    if (PARALLEL_PAIR.includes(req.command) && !/\/(r\d+|remind\d+)$/.test(req.stepKey)) await this.rendezvous(inv);
    const reply = this.reply(req.command, storyIds.join('+'), req.attempt);
    if (reply.before) await reply.before(req);
    if (req.signal.aborted) return { outcome: 'cancelled', outputText: '', deferredItems: [] };
    const outcome = reply.outcome ?? 'success';
    if (outcome === 'success' && reply.effects !== false) await this.effects(req);
    for (const [key, status] of Object.entries(reply.setStatus ?? {})) await this.ledgerFor(req).setStatus(key, status);
    const work = reply.work ?? this.options.work;
    if (outcome === 'success' && work) await work(req);
    const deferred = reply.deferred ?? [];
    const output = (reply.output ?? (outcome === 'success' ? this.defaultOutput(req, storyIds) : '')) + deferred.map((d) => `\nDEFERRED: ${d}`).join('');
    return {
      outcome,
      outputText: output,
      ...(reply.message !== undefined ? { message: reply.message } : {}),
      ...(reply.errorClass !== undefined ? { errorClass: reply.errorClass } : {}),
      ...(reply.resetsAt !== undefined ? { resetsAt: reply.resetsAt } : {}),
      deferredItems: deferred,
      usage: { inputTokens: 100, outputTokens: 50, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: reply.costUsd ?? 0.01, sessionId: inv.sessionId },
    };
  }

  private reply(command: StepCommand, story: string, attempt: number): ScriptedReply {
    const script = this.options.script ?? {};
    for (const key of [`${command} ${story} a${attempt}`, `${command} ${story}`, command]) {
      const entry = script[key];
      if (entry === undefined) continue;
      if (!Array.isArray(entry)) return entry;
      const n = this.consumed.get(key) ?? 0;
      this.consumed.set(key, n + 1);
      return entry[Math.min(n, entry.length - 1)];
    }
    return {};
  }

  private defaultOutput(req: AgentRequest, storyIds: string[]): string {
    switch (req.command) {
      case 'create-story': {
        const decision = this.options.defaultDecision ?? 'SKIP';
        return ['Story files written.', ...storyIds.map((id) => `Story ${id}: [TECH-SPEC-DECISION: ${decision}]`)].join('\n');
      }
      case 'story-review':
      case 'tech-spec-review':
        return 'Review complete.\n[CRITICAL-ISSUES-FOUND: NO]';
      case 'sprint-status-diagnosis':
        return '[DIAGNOSIS: BLOCK the scripted agent was given no recommendation]';
      case 'code-review':
        return 'ZERO ISSUES\nHIGHEST SEVERITY: NONE\nIssues: 0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW';
      default:
        return `${req.command} finished.`;
    }
  }

  private readonly laneLedgers = new Map<string, SprintLedgerPort>();

  /** A path of the workspace as the agent's cwd has it (a lane's worktree in parallel mode). */
  private inCwd(req: AgentRequest, p: string): string {
    const root = this.options.layout.root;
    if (req.cwd === root || !(p === root || p.startsWith(root + path.sep))) return p;
    return path.join(req.cwd, path.relative(root, p));
  }

  /** The ledger the agent sees: the workspace's, or its lane's copy. */
  private ledgerFor(req: AgentRequest): SprintLedgerPort {
    const file = this.inCwd(req, this.options.ledger.path);
    if (file === this.options.ledger.path) return this.options.ledger;
    let l = this.laneLedgers.get(file);
    if (!l) {
      l = new SprintLedger(file, this.options.fs);
      this.laneLedgers.set(file, l);
    }
    return l;
  }

  /** What the BMAD workflow behind each prompt leaves on disk and in the ledger. */
  private async effects(req: AgentRequest): Promise<void> {
    const { fs, layout } = this.options;
    const ledger = this.ledgerFor(req);
    const art = this.inCwd(req, layout.implementationArtifacts);
    const write = async (file: string, text: string) => {
      await fs.mkdirp(path.dirname(file));
      await fs.writeTextAtomic(file, text);
    };
    switch (req.command) {
      case 'generate-project-context':
        await write(layout.projectContextPath, '# Project Context\n\nGenerated by the scripted agent.\n');
        return;
      case 'create-story':
        for (const key of req.storyKeys) {
          await write(path.join(art, `${key}.md`), `# Story ${key}\n\nStatus: ready-for-dev\n`);
          await ledger.setStatus(key, 'ready-for-dev');
        }
        return;
      case 'create-story-discovery':
        for (const key of req.storyKeys) await write(path.join(art, `${key}-discovery-story.md`), `# Discovery for ${key}\n\nPatterns found.\n`);
        return;
      case 'create-tech-spec':
        for (const key of req.storyKeys) await write(path.join(art, `tech-spec-${key}.md`), `# Tech spec ${key}\n`);
        return;
      case 'dev-story':
        for (const key of req.storyKeys) {
          await ledger.setStatus(key, 'in-progress');
          await ledger.setStatus(key, 'review');
        }
        return;
      default:
        return;
    }
  }
}
