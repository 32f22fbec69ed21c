// Lint: the layer rules of the house (which folder may import what) and the checks the type checker
// does not make (every switch over a union handles each member; no promise is left floating).
// Runs on the TypeScript sources as they are: no build needed.

import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/**
 * Node builtins the core may use directly: pure computations with no I/O and no process state.
 * Everything else (files, processes, network, environment) reaches the core through its ports.
 */
const PURE_BUILTINS = ['path', 'string_decoder', 'crypto'];

const bannedBuiltins = builtinModules
  .filter((m) => !m.startsWith('_'))
  .flatMap((m) => [m, `node:${m}`])
  .filter((m) => !PURE_BUILTINS.includes(m.replace(/^node:/, '')));

const vscodeBan = {
  name: 'vscode',
  message: 'Only src/vscode and src/extension.ts may import vscode: put the logic in core/shared and pass what it needs in.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', '.vscode-test/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-control-regex': 'error',
      'no-restricted-imports': ['error', { paths: [vscodeBan] }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['src/vscode/**/*.ts', 'src/extension.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            vscodeBan,
            ...bannedBuiltins.map((name) => ({
              name,
              message: 'src/core does no I/O of its own: reach files, processes and the environment through a port (FileSystem, ScriptRunner, GitPort, …).',
            })),
          ],
        },
      ],
    },
  },
);
