// package.json as the tests read it: the manifest and its settings, flattened from the titled groups
// of `contributes.configuration` (an array in the Settings UI's order, or one object).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface ContributedSetting {
  type?: string | string[];
  default: unknown;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownDescription?: string;
  description?: string;
  scope?: string;
}

export function manifest(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
}

/** Every contributed setting by its full key (`sprintRunner.claude.command` → its schema). */
export function contributedSettings(pkg = manifest()): Record<string, ContributedSetting> {
  const conf = pkg.contributes.configuration as { properties: Record<string, ContributedSetting> } | { properties: Record<string, ContributedSetting> }[];
  const groups = Array.isArray(conf) ? conf : [conf];
  return Object.assign({}, ...groups.map((g) => g.properties));
}
