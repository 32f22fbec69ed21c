// A RunStore kept in memory with the contract's semantics (results JSON round-tripped like a database
// would). For engine tests that do not need the sql.js file; `crashAfterStepStarts` simulates a process
// that dies while a step runs.

import type { SprintEvent } from '../../src/core/SprintEvents';
import type {
  BackgroundTaskRecord,
  BatchRecord,
  CommandEnd,
  CommandRecord,
  CommandStart,
  CostTotals,
  RunOptionsRecord,
  RunStore,
  StepRecord,
  StoredEvent,
  StoryBlockRecord,
} from '../../src/core/store/RunStore';

export class InMemoryRunStore implements RunStore {
  readonly batches: BatchRecord[] = [];
  readonly steps = new Map<string, StepRecord>();
  readonly stories = new Map<string, { batchId: number; storyKey: string; epicId: string; status?: string; startedAt?: number; endedAt?: number }>();
  readonly commands: CommandRecord[] = [];
  readonly events: StoredEvent[] = [];
  readonly blocks: StoryBlockRecord[] = [];
  readonly backgroundTasks: BackgroundTaskRecord[] = [];
  checkpoints = 0;

  private clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
  }

  async createBatch(input: { runId: string; startedAt: number; options: RunOptionsRecord }): Promise<BatchRecord> {
    const b: BatchRecord = {
      id: this.batches.length + 1,
      runId: input.runId,
      startedAt: input.startedAt,
      endedAt: null,
      batchMode: input.options.batchMode,
      maxCycles: input.options.maxCycles,
      cyclesCompleted: 0,
      status: 'running',
      options: this.clone(input.options),
      reason: null,
    };
    this.batches.push(b);
    return this.clone(b);
  }
  async getBatch(id: number): Promise<BatchRecord | undefined> {
    return this.clone(this.batches.find((b) => b.id === id));
  }
  async latestBatch(): Promise<BatchRecord | undefined> {
    return this.clone(this.batches[this.batches.length - 1]);
  }
  async listBatches(limit = 50): Promise<BatchRecord[]> {
    return this.clone([...this.batches].reverse().slice(0, limit));
  }
  async updateBatch(id: number, patch: Partial<Pick<BatchRecord, 'status' | 'endedAt' | 'cyclesCompleted' | 'reason'>>): Promise<void> {
    const b = this.batches.find((x) => x.id === id);
    if (!b) throw new Error(`no batch ${id}`);
    Object.assign(b, patch);
  }
  async getStep(batchId: number, stepKey: string): Promise<StepRecord | undefined> {
    return this.clone(this.steps.get(`${batchId}/${stepKey}`));
  }
  async listSteps(batchId: number): Promise<StepRecord[]> {
    return this.clone([...this.steps.values()].filter((s) => s.batchId === batchId));
  }
  async markStepStarted(batchId: number, stepKey: string, at: number): Promise<void> {
    this.steps.set(`${batchId}/${stepKey}`, { batchId, stepKey, startedAt: at, endedAt: null });
  }
  async saveStepResult(batchId: number, stepKey: string, result: unknown, at: number): Promise<void> {
    const s = this.steps.get(`${batchId}/${stepKey}`);
    if (!s) throw new Error(`step ${stepKey} was never started`);
    s.result = this.clone(result);
    s.endedAt = at;
  }
  async upsertStory(batchId: number, storyKey: string, epicId: string, patch: { status?: string; startedAt?: number; endedAt?: number }): Promise<void> {
    const k = `${batchId}/${storyKey}`;
    const row = this.stories.get(k) ?? { batchId, storyKey, epicId };
    this.stories.set(k, { ...row, ...patch });
  }
  async startCommand(c: CommandStart): Promise<number> {
    const id = this.commands.length + 1;
    this.commands.push({ ...this.clone(c), id, endedAt: null, outcome: null, usage: null, outputSummary: null, logPath: null });
    return id;
  }
  async finishCommand(id: number, end: CommandEnd): Promise<void> {
    const c = this.commands.find((x) => x.id === id);
    if (!c) throw new Error(`no command ${id}`);
    Object.assign(c, { endedAt: end.endedAt, outcome: end.outcome, usage: end.usage ?? null, outputSummary: end.outputSummary ?? null, logPath: end.logPath ?? null });
  }
  async listCommands(filter: { batchId?: number; storyKey?: string }): Promise<CommandRecord[]> {
    return this.clone(
      this.commands.filter(
        (c) => (filter.batchId === undefined || c.batchId === filter.batchId) && (filter.storyKey === undefined || c.storyKeys.includes(filter.storyKey)),
      ),
    );
  }
  appendEvent(event: SprintEvent): void {
    const storyKey = 'storyKey' in event ? (event.storyKey ?? null) : null;
    this.events.push({
      id: this.events.length + 1,
      batchId: event.batchId ?? null,
      timestamp: event.at,
      type: event.type,
      storyKey,
      epicId: null,
      command: 'command' in event ? String(event.command) : null,
      taskId: event.type === 'command:progress' ? event.row.taskId : null,
      status: null,
      message: 'message' in event ? (event.message ?? null) : null,
      payload: this.clone(event),
    });
  }
  async listEvents(filter: { batchId?: number; afterId?: number; limit?: number }): Promise<StoredEvent[]> {
    return this.clone(
      this.events
        .filter((e) => (filter.batchId === undefined || e.batchId === filter.batchId) && (filter.afterId === undefined || e.id > filter.afterId))
        .slice(0, filter.limit ?? Infinity),
    );
  }
  private total(cs: CommandRecord[]): CostTotals {
    const t: CostTotals = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0, commands: cs.length };
    for (const c of cs) {
      t.inputTokens += c.usage?.inputTokens ?? 0;
      t.outputTokens += c.usage?.outputTokens ?? 0;
      t.cacheCreationInputTokens += c.usage?.cacheCreationInputTokens ?? 0;
      t.cacheReadInputTokens += c.usage?.cacheReadInputTokens ?? 0;
      t.costUsd += c.usage?.costUsd ?? 0;
    }
    return t;
  }
  async costs(filter: { batchId?: number; storyKey?: string; cycle?: number }): Promise<CostTotals> {
    return this.total(
      this.commands.filter(
        (c) =>
          (filter.batchId === undefined || c.batchId === filter.batchId) &&
          (filter.storyKey === undefined || c.storyKeys.includes(filter.storyKey)) &&
          (filter.cycle === undefined || c.cycle === filter.cycle),
      ),
    );
  }
  async costsByStory(batchId?: number): Promise<Map<string, CostTotals>> {
    const keys = new Set(this.commands.flatMap((c) => c.storyKeys));
    const out = new Map<string, CostTotals>();
    for (const k of keys) out.set(k, await this.costs({ batchId, storyKey: k }));
    return out;
  }
  async recordBlock(b: Omit<StoryBlockRecord, 'unblockedAt'>): Promise<void> {
    this.blocks.push({ ...b, unblockedAt: null });
  }
  async openBlock(storyKey: string): Promise<StoryBlockRecord | undefined> {
    return this.clone([...this.blocks].reverse().find((b) => b.storyKey === storyKey && b.unblockedAt === null));
  }
  async closeBlock(storyKey: string, at: number): Promise<void> {
    const b = [...this.blocks].reverse().find((x) => x.storyKey === storyKey && x.unblockedAt === null);
    if (b) b.unblockedAt = at;
  }
  async addBackgroundTask(t: { batchId: number | null; storyKey: string | null; taskType: string; spawnedAt: number }): Promise<number> {
    const id = this.backgroundTasks.length + 1;
    this.backgroundTasks.push({ id, ...t, completedAt: null, status: 'running' });
    return id;
  }
  async finishBackgroundTask(id: number, status: string, at: number): Promise<void> {
    const t = this.backgroundTasks.find((x) => x.id === id);
    if (t) Object.assign(t, { status, completedAt: at });
  }
  async listBackgroundTasks(batchId?: number): Promise<BackgroundTaskRecord[]> {
    return this.clone(this.backgroundTasks.filter((t) => batchId === undefined || t.batchId === batchId));
  }
  async checkpoint(): Promise<void> {
    this.checkpoints++;
  }
  async close(): Promise<void> {}
}
