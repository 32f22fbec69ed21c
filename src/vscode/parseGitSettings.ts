// Moved to core/settings (the CLI reads the same settings); kept so existing imports keep working.
export { MAX_PARALLEL, parseGitSettings, type GitSettings, type RawGitSettings } from '../core/settings/parseGitSettings';
