// Every command id of the extension, with the argument each accepts, in one typed table. package.json's
// `contributes.commands` lists exactly these (an integration test checks both directions).

export const SprintCommands = {
  runCycles: 'sprintRunner.run.cycles',
  runAll: 'sprintRunner.run.all',
  pause: 'sprintRunner.run.pause',
  resume: 'sprintRunner.run.resume',
  stop: 'sprintRunner.run.stop',
  openDashboard: 'sprintRunner.dashboard.open',
  refreshTree: 'sprintRunner.tree.refresh',
  openLedger: 'sprintRunner.ledger.open',
  createLedger: 'sprintRunner.ledger.create',
  showOutput: 'sprintRunner.output.show',
  resumeStory: 'sprintRunner.story.resume',
  openStory: 'sprintRunner.story.open',
  blockStory: 'sprintRunner.story.block',
  unblockStory: 'sprintRunner.story.unblock',
  showStoryInDashboard: 'sprintRunner.story.showInDashboard',
  runEpic: 'sprintRunner.epic.run',
  openEpic: 'sprintRunner.epic.open',
  doctor: 'sprintRunner.doctor',
  openDocs: 'sprintRunner.docs.open',
} as const;

export type SprintCommandId = (typeof SprintCommands)[keyof typeof SprintCommands];

/** A story argument: its key, or the tree element the context menu passes. */
export type StoryArgument = string | { storyKey: string };

/** An epic argument: its id (`2`, `2a`), or the tree element the context menu passes. */
export type EpicArgument = string | { epicId: string };

/**
 * What each command accepts as its optional argument. Given an argument, a command shows no input box,
 * quick pick, modal or confirmation (key bindings, scripts and tests rely on it).
 */
export interface SprintCommandArgs {
  'sprintRunner.run.cycles': [cycles?: number | 'all' | string];
  'sprintRunner.run.all': [];
  'sprintRunner.run.pause': [];
  'sprintRunner.run.resume': [];
  'sprintRunner.run.stop': [reason?: string];
  'sprintRunner.dashboard.open': [];
  'sprintRunner.tree.refresh': [];
  'sprintRunner.ledger.open': [];
  'sprintRunner.ledger.create': [];
  'sprintRunner.output.show': [channel?: 'log' | 'agents'];
  'sprintRunner.story.resume': [story?: StoryArgument];
  'sprintRunner.story.open': [story?: StoryArgument];
  'sprintRunner.story.block': [story?: StoryArgument, reason?: string];
  'sprintRunner.story.unblock': [story?: StoryArgument];
  'sprintRunner.story.showInDashboard': [story?: StoryArgument];
  'sprintRunner.epic.run': [epic?: EpicArgument];
  'sprintRunner.epic.open': [epic?: EpicArgument];
  /** With any argument: no notification, resolves with the report (scripts, tests). */
  'sprintRunner.doctor': [quiet?: boolean];
  /** A page of docs/ (`extension`, `workflow`, …); default the extension guide. */
  'sprintRunner.docs.open': [page?: string];
}

export type SprintCommandHandlers = {
  [K in SprintCommandId]: (...args: SprintCommandArgs[K]) => unknown;
};

export function storyKeyOf(arg: StoryArgument | undefined): string | undefined {
  if (typeof arg === 'string') return arg.trim() || undefined;
  if (arg && typeof arg === 'object' && typeof arg.storyKey === 'string') return arg.storyKey;
  return undefined;
}

export function epicIdOf(arg: EpicArgument | undefined): string | undefined {
  if (typeof arg === 'string') return arg.trim().replace(/^epic-/, '') || undefined;
  if (arg && typeof arg === 'object' && typeof arg.epicId === 'string') return arg.epicId;
  return undefined;
}

/** `3`, `"3"`, `"all"` → cycles; anything else → undefined (the caller reports it). */
export function parseCycles(input: unknown): number | 'all' | undefined {
  if (input === 'all') return 'all';
  const n = typeof input === 'number' ? input : typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}
