// Typed builders for the store tests.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandStart, RunOptionsRecord } from '../../../../src/core/store/RunStore';
import type { SprintEvent } from '../../../../src/core/SprintEvents';
import type { AgentUsage } from '../../../../src/core/agent/AgentContract';

export function tempStateDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sr-state-${label}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function runOptions(overrides: Partial<RunOptionsRecord> = {}): RunOptionsRecord {
  return { batchMode: 'fixed', maxCycles: 2, ...overrides };
}

export function aCommand(overrides: Partial<CommandStart> & Pick<CommandStart, 'batchId'>): CommandStart {
  return {
    stepKey: 'c1/dev-story/2a-1-scanner',
    cycle: 1,
    command: 'dev-story',
    attempt: 1,
    storyKeys: ['2a-1-scanner'],
    epicId: '2a',
    model: 'opus',
    startedAt: 1_000,
    ...overrides,
  };
}

export function usage(overrides: Partial<AgentUsage> = {}): AgentUsage {
  return { inputTokens: 100, outputTokens: 50, cacheCreationInputTokens: 1000, cacheReadInputTokens: 20_000, costUsd: 0.5, ...overrides };
}

export function aProgressEvent(i: number, overrides: { batchId?: number; stepKey?: string; storyKeys?: string[]; storyId?: string; at?: number } = {}): SprintEvent {
  return {
    type: 'command:progress',
    at: overrides.at ?? 10_000 + i,
    batchId: overrides.batchId ?? 1,
    stepKey: overrides.stepKey ?? 'c1/dev-story/2a-1-scanner',
    command: 'dev-story',
    storyKeys: overrides.storyKeys ?? ['2a-1-scanner'],
    row: {
      timestamp: 10 + i,
      epicId: '2a',
      storyId: overrides.storyId ?? '2a-1',
      command: 'dev-story',
      taskId: i % 2 === 0 ? 'implement' : 'tests',
      status: 'start',
      message: `progress line ${i}`,
    },
  };
}
