// The layer rules of eslint.config.mjs fire where they should: the real config, the ESLint Node API,
// a file placed in each layer. (Type-aware rules are switched off here: they need a type-checked
// program and say nothing about layers; `npm run lint` runs them.)
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');

async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/switch-exhaustiveness-check': 'off', '@typescript-eslint/no-floating-promises': 'off' },
    },
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint: layer rules', function () {
  this.timeout(60_000);

  it('rejects vscode in src/core and src/infra, accepts it in src/vscode and extension.ts', async () => {
    const code = "import * as vscode from 'vscode';\nexport const x = vscode;\n";
    assert.match((await lint('src/core/layerProbe.ts', code)).join('\n'), /no-restricted-imports: .*Only src\/vscode and src\/extension\.ts may import vscode/);
    assert.match((await lint('src/infra/layerProbe.ts', code)).join('\n'), /no-restricted-imports/);
    assert.deepEqual(await lint('src/vscode/layerProbe.ts', code), []);
    assert.deepEqual(await lint('src/extension.ts', code), []);
  });

  it('rejects Node I/O builtins in src/core (with or without node:), accepts them in src/infra', async () => {
    for (const spec of ['node:fs', 'fs', 'node:child_process', 'os']) {
      const code = `import * as m from '${spec}';\nexport const x = m;\n`;
      assert.match((await lint('src/core/layerProbe.ts', code)).join('\n'), /no-restricted-imports: .*through a port/, spec);
    }
    assert.deepEqual(await lint('src/infra/layerProbe.ts', "import * as fs from 'node:fs';\nexport const x = fs;\n"), []);
  });

  it('lets the core use pure builtins (path arithmetic, hashing, decoding)', async () => {
    assert.deepEqual(await lint('src/core/layerProbe.ts', "import * as path from 'node:path';\nexport const x = path.posix.join('a', 'b');\n"), []);
  });
});
