// Parallel mode numbers its lanes for people: "lane 2" reads better than a story key twice. A story
// gets the lowest free number when its worktree starts (or when the first event tagged with its lane
// arrives, e.g. a resumed lane whose start was replayed) and frees it when the lane is merged or parked.
// Pure: the session host (tree) and the dashboard model both feed it the same events.

import type { SprintEvent } from '../core/SprintEvents';

export class LaneSlots {
  private readonly slots = new Map<string, number>();

  /** The lane number of a story while its lane is open. */
  laneOf(storyKey: string): number | undefined {
    return this.slots.get(storyKey);
  }

  get running(): number {
    return this.slots.size;
  }

  /** Applies one event; returns the story keys whose lane number changed. */
  apply(e: SprintEvent): string[] {
    if (e.type === 'batch:start' || e.type === 'batch:end') {
      const keys = [...this.slots.keys()];
      this.slots.clear();
      return keys;
    }
    if (e.type === 'lane:state' && e.state !== 'started') {
      return this.slots.delete(e.storyKey) ? [e.storyKey] : [];
    }
    const key = e.type === 'lane:state' ? e.storyKey : e.lane;
    if (!key || this.slots.has(key)) return [];
    const used = new Set(this.slots.values());
    let n = 1;
    while (used.has(n)) n++;
    this.slots.set(key, n);
    return [key];
  }
}
