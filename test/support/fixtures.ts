// The real-data fixtures the tests replay live in test/fixtures (see its README), so a fresh clone has them.
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');

/** Absolute path of a fixture file, e.g. fixturePath('bmad', 'sprint-status.real.yaml'). */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}
