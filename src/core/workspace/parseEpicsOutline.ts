// The epics and stories of BMAD's `epics.md` (headings `## Epic 2a: Title`, `### Story 2a.1: Title`), turned
// into sprint-status keys the way BMAD's sprint-planning names them (`2a-1-title-in-kebab-case`).

export interface OutlineStory {
  key: string;
  title: string;
  /** 1-based line of the heading. */
  line: number;
}

export interface OutlineEpic {
  epicId: string;
  title: string;
  stories: OutlineStory[];
}

const EPIC_HEADING = /^#{1,6}\s+Epic\s+([0-9][0-9A-Za-z-]*)\s*(?:[:.\u2013\u2014-]\s*(.*))?$/i;
const STORY_HEADING = /^#{1,6}\s+Story\s+([0-9][0-9A-Za-z-]*)[.-]([0-9]+)\s*(?:[:.\u2013\u2014-]\s*(.*))?$/i;

/** `Add a To-do (CLI)!` → `add-a-to-do-cli`. */
export function kebabTitle(title: string): string {
  return title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Epics in order of first appearance; a story whose epic has no heading still gets its epic. */
export function parseEpicsOutline(markdown: string): OutlineEpic[] {
  const epics = new Map<string, OutlineEpic>();
  const epicFor = (id: string, title = ''): OutlineEpic => {
    let epic = epics.get(id);
    if (!epic) {
      epic = { epicId: id, title, stories: [] };
      epics.set(id, epic);
    } else if (!epic.title && title) {
      epic.title = title;
    }
    return epic;
  };
  const lines = markdown.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const text = raw.trim();
    const story = STORY_HEADING.exec(text);
    if (story) {
      const epicId = story[1].toLowerCase();
      const title = (story[3] ?? '').trim();
      const slug = kebabTitle(title);
      const key = slug ? `${epicId}-${story[2]}-${slug}` : `${epicId}-${story[2]}`;
      const epic = epicFor(epicId);
      // Story numbers are unique; a later heading with the same number (a summary list repeated) is ignored.
      const shortId = `${epicId}-${story[2]}`;
      if (!epic.stories.some((s) => s.key === shortId || s.key.startsWith(`${shortId}-`))) {
        epic.stories.push({ key, title, line: index + 1 });
      }
      return;
    }
    const epic = EPIC_HEADING.exec(text);
    if (epic) epicFor(epic[1].toLowerCase(), (epic[2] ?? '').trim());
  });
  return [...epics.values()];
}
