// What every step of a run shares: the dependencies, the run state machine (running → pausing/stopping
// → idle/paused), the abort signal the agents get, and the one way events leave the engine. The step
// modules take a RunContext instead of calling back into SprintRunner, so none of them imports it.

import { Emitter, type Event } from '../Emitter';
import type { RunState, SprintEvent } from '../SprintEvents';
import { systemClock, type Clock } from './Clock';
import { Halt, RunInProgressError, type SprintRunnerDeps } from './RunTypes';

/** Omit over each member of a union (plain Omit collapses a discriminated union). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type EngineEvent = DistributiveOmit<SprintEvent, 'at'>;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class RunContext {
  private readonly emitter = new Emitter<SprintEvent>();
  readonly onDidEmit: Event<SprintEvent> = this.emitter.event;

  readonly clock: Clock;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private currentState: RunState = 'idle';
  private pauseReasonValue: string | undefined;
  private stopReasonValue: string | undefined;
  private abort = new AbortController();
  /** Aborts on any pause or stop request: what a step that only waits (the commit review) listens to. */
  private haltRequested = new AbortController();
  private onProgress: ((e: SprintEvent) => void) | undefined;
  /** Stamped on every event while a batch runs. */
  batchId: number | undefined;

  constructor(readonly deps: SprintRunnerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? defaultSleep;
  }

  get state(): RunState {
    return this.currentState;
  }

  /** Aborts when the run is stopped; handed to every agent and gate. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Aborts when a pause or stop is asked for (the agents' `signal` aborts only on stop). */
  get haltSignal(): AbortSignal {
    return this.haltRequested.signal;
  }

  get pauseReason(): string | undefined {
    return this.pauseReasonValue;
  }

  get stopReason(): string | undefined {
    return this.stopReasonValue;
  }

  begin(onProgress: ((e: SprintEvent) => void) | undefined): void {
    if (this.currentState === 'running' || this.currentState === 'pausing' || this.currentState === 'stopping') {
      throw new RunInProgressError();
    }
    this.onProgress = onProgress;
    this.pauseReasonValue = undefined;
    this.stopReasonValue = undefined;
    this.abort = new AbortController();
    this.haltRequested = new AbortController();
    this.setState('running');
  }

  finish(): void {
    this.onProgress = undefined;
    this.batchId = undefined;
  }

  /** Lets the running step(s) finish and starts no new one. */
  pause(reason: string): void {
    if (this.currentState !== 'running') return;
    this.pauseReasonValue = reason;
    this.setState('pausing');
    this.haltRequested.abort();
  }

  /** A pause the engine asks for itself (budget): the first reason wins, a stop wins over it. */
  requestPause(reason: string): void {
    if (this.pauseReasonValue !== undefined || this.stopReasonValue !== undefined) return;
    this.pauseReasonValue = reason;
    this.setState('pausing');
    this.haltRequested.abort();
  }

  /** A lane ended the batch: the other lanes start no new step; the state is settled at the batch's end. */
  haltOtherLanes(reason: string): void {
    if (this.pauseReasonValue === undefined && this.stopReasonValue === undefined) this.pauseReasonValue = reason;
    this.haltRequested.abort();
  }

  cancel(reason: string): void {
    if (this.currentState === 'idle' || this.currentState === 'paused' || this.currentState === 'stopping') return;
    this.stopReasonValue = reason;
    this.setState('stopping');
    this.abort.abort(new Error(reason));
    this.haltRequested.abort();
  }

  /** Aborts the agents still running when the batch ends stopped. */
  abortAgents(reason: string): void {
    this.abort.abort(new Error(reason));
  }

  /** Throws the Halt a pause or stop asked for, before a new step starts. */
  checkHalt(): void {
    if (this.stopReasonValue !== undefined) throw new Halt('stopped', this.stopReasonValue);
    if (this.pauseReasonValue !== undefined) throw new Halt('paused', this.pauseReasonValue);
  }

  setState(state: RunState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit({ type: 'run:state', state });
  }

  emit(event: EngineEvent): void {
    const full = { at: this.clock.now(), ...(this.batchId !== undefined ? { batchId: this.batchId } : {}), ...event } as SprintEvent;
    if (full.type !== 'command:output') this.deps.store.appendEvent(full);
    this.emitter.fire(full);
    if (this.onProgress) {
      try {
        this.onProgress(full);
      } catch (err) {
        console.error('sprint-runner: onProgress callback failed:', err);
      }
    }
  }

  warn(message: string, extra: { storyKey?: string; stepKey?: string } = {}): void {
    this.emit({ type: 'warning', message, ...extra });
  }
}
