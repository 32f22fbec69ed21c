// Moved to core/settings (the CLI reads the same settings); kept so existing imports keep working.
export { parseClaudeEnv } from '../core/settings/parseClaudeEnv';
