// Issue 4 (activation < 50 ms): the engine is its own bundle, required on the first session the host
// opens. These tests check the loader against real files and the extension's bundle graph with esbuild.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { LEDGER_BUNDLE, lazyLedger } from '../../../src/vscode/lazyLedger';
import { lazySessionOpener, SESSION_BUNDLE } from '../../../src/vscode/lazySessionOpener';
import { NodeFileSystem } from '../../../src/infra/NodeFileSystem';
import type { SprintRunnerConfig } from '../../../src/vscode/SprintRunnerSettings';

const root = path.resolve(__dirname, '..', '..', '..');
// The fake bundle below ignores the settings; the real mapping is tested in openSprintSession.test.ts.
const config = {} as SprintRunnerConfig;
const request = (workspaceRoot: string) => ({ workspaceRoot, stateDir: path.join(workspaceRoot, '.state'), config, onLog: () => undefined });

describe('lazySessionOpener', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lazy-session-'));
  });
  afterEach(() => {
    for (const k of Object.keys(require.cache)) if (k.startsWith(dir)) delete require.cache[k];
    rmSync(dir, { recursive: true, force: true });
  });

  it('requires <bundleDir>/session.js only when the first session opens, once, with the extension root', async () => {
    const file = path.join(dir, SESSION_BUNDLE);
    writeFileSync(
      file,
      [
        'let evaluated = 0; evaluated++;',
        'exports.openSprintSession = (extensionRoot) => async (o) => ({ extensionRoot, workspaceRoot: o.workspaceRoot, evaluated });',
      ].join('\n'),
    );
    const open = lazySessionOpener('/ext/root', dir);
    assert.equal(require.cache[file], undefined, 'building the opener must not load the engine');

    const first = (await open(request('/ws/a'))) as unknown as Record<string, unknown>;
    assert.ok(require.cache[file], 'the first session loads the bundle');
    assert.deepEqual(first, { extensionRoot: '/ext/root', workspaceRoot: '/ws/a', evaluated: 1 });

    const second = (await open(request('/ws/b'))) as unknown as Record<string, unknown>;
    assert.deepEqual(second, { extensionRoot: '/ext/root', workspaceRoot: '/ws/b', evaluated: 1 });
  });

  it('a missing bundle rejects the session with the file and the rebuild command', async () => {
    const open = lazySessionOpener('/ext/root', dir);
    await assert.rejects(open(request('/ws/a')), (err: Error) => {
      assert.ok(err.message.includes(path.join(dir, 'session.js')), err.message);
      assert.match(err.message, /npm run build/);
      return true;
    });
  });

  it('a file that is not the engine bundle is refused by name', async () => {
    writeFileSync(path.join(dir, SESSION_BUNDLE), 'exports.somethingElse = 1;');
    await assert.rejects(lazySessionOpener('/ext/root', dir)(request('/ws/a')), /session\.js: does not export openSprintSession/);
  });
});

describe('lazyLedger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lazy-ledger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the ledger module on the first call only, and it reads a real workspace', async () => {
    const files: string[] = [];
    // The TypeScript entry stands in for dist/ledger.js (same exports); loads are counted.
    const get = lazyLedger(dir, (file) => {
      files.push(file);
      return require('../../../src/vscode/ledgerBundle') as unknown;
    });
    assert.deepEqual(files, []);
    const ledger = get();
    assert.equal(get(), ledger);
    assert.deepEqual(files, [path.join(dir, LEDGER_BUNDLE)]);

    const fs = new NodeFileSystem();
    assert.equal(await ledger.findLayout(dir, fs), undefined, 'a folder without a ledger has no layout');
    const layout = await ledger.findLayout(path.join(root, 'sample-workspace'), fs);
    assert.ok(layout, 'sample-workspace has a ledger');
    const snapshot = await ledger.readLedgerSnapshot(layout.ledgerPath, fs);
    assert.ok(snapshot.stories.length > 0, 'the sample ledger lists stories');
    assert.deepEqual(await ledger.readEpicTitlesOf(layout.planningArtifacts, fs), { '1': 'Task Basics', '2': 'Persistence' });
  });

  it('a missing ledger bundle names the file and the rebuild command', () => {
    assert.throws(() => lazyLedger(dir)(), (err: Error) => err.message.includes(path.join(dir, 'ledger.js')) && /npm run build/.test(err.message));
  });
});

describe('extension bundle graph', function () {
  this.timeout(60_000);

  async function inputsOf(entry: string): Promise<string[]> {
    const result = await esbuild.build({
      entryPoints: [path.join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      write: false,
      metafile: true,
      outfile: path.join(root, 'dist', 'graph-check.js'),
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs));
  }

  it('dist/extension.js carries no engine and no yaml: sql.js, execa, the run store, the workflow, the Claude agent, the ledger parser', async () => {
    const inputs = await inputsOf('src/extension.ts');
    const engine = inputs.filter((i) =>
      /node_modules\/(sql\.js|execa|yaml)\/|src\/core\/ledger\/SprintLedger\.ts|src\/infra\/(SqlJsRunStore|SprintSession)\.ts|src\/infra\/(claude|store|git)\/|src\/core\/workflow\/SprintRunner\.ts/.test(i),
    );
    assert.deepEqual(engine, []);
    assert.ok(inputs.includes('src/vscode/lazySessionOpener.ts'), 'the engine loader is in the extension bundle');
    assert.ok(inputs.includes('src/vscode/lazyLedger.ts'), 'the ledger loader is in the extension bundle');
  });

  it('dist/session.js (src/vscode/openSprintSession.ts) carries the engine the loader expects', async () => {
    const inputs = await inputsOf('src/vscode/openSprintSession.ts');
    for (const expected of ['src/session/SprintSession.ts', 'src/infra/store/SqlJsRunStore.ts', 'src/core/workflow/SprintRunner.ts']) {
      assert.ok(inputs.includes(expected), `${expected} missing from the session bundle`);
    }
  });

  it('dist/ledger.js (src/vscode/ledgerBundle.ts) carries the ledger parser and yaml, not the engine', async () => {
    const inputs = await inputsOf('src/vscode/ledgerBundle.ts');
    assert.ok(inputs.includes('src/core/ledger/SprintLedger.ts'));
    assert.ok(inputs.some((i) => i.startsWith('node_modules/yaml/')));
    assert.deepEqual(inputs.filter((i) => /node_modules\/(sql\.js|execa)\/|src\/infra\/SprintSession\.ts/.test(i)), []);
  });
});
