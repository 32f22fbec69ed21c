// B6's child process: loads an extension bundle against a minimal *stubbed* `vscode` module (injected
// through the require cache; this is not VS Code's extension host) and calls activate(context) with a fake
// context. Prints one JSON line: module load time, activate() time, the modules the bundle required while
// loading and activating, the files it read, and any `vscode` API the stub lacked.
//
// Plain CommonJS on purpose: running under tsx would route the bundle's require through a transpiler and
// distort the figure being measured.
//
// usage: node activationHost.cjs <bundle.js> <extensionRoot> <workspaceFolder> <storageDir>

'use strict';
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const [bundle, extensionRoot, workspaceFolder, storageDir] = process.argv.slice(2);
const missing = new Set();
const noop = () => undefined;
const disposable = () => ({ dispose: noop });

class Disposable {
  constructor(fn) {
    this.fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this.fn) this.fn();
    this.fn = undefined;
  }
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.add(l);
      return new Disposable(() => this.listeners.delete(l));
    };
  }
  fire(e) {
    for (const l of [...this.listeners]) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}

const event = () => disposable();

class Uri {
  constructor(fsPath) {
    this.scheme = 'file';
    this.fsPath = fsPath;
    this.path = fsPath;
  }
  static file(p) {
    return new Uri(path.resolve(p));
  }
  static parse(s) {
    return new Uri(s.replace(/^file:\/\//, ''));
  }
  static joinPath(base, ...parts) {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  with() {
    return this;
  }
  toString() {
    return `file://${this.fsPath}`;
  }
}

/** An object with the given members; `onDid*` are events, `dispose` a no-op; anything else is recorded as missing. */
function stubObject(name, members = {}) {
  return new Proxy(members, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop !== 'string' || prop === 'then' || prop === '__esModule') return undefined;
      if (/^onDid|^onWill/.test(prop)) return event;
      if (prop === 'dispose') return noop;
      missing.add(`${name}.${prop}`);
      return undefined;
    },
  });
}

const logChannel = (name) =>
  stubObject(`LogOutputChannel(${name})`, {
    name,
    logLevel: 2,
    append: noop,
    appendLine: noop,
    replace: noop,
    clear: noop,
    show: noop,
    hide: noop,
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    dispose: noop,
  });

const folderUri = Uri.file(workspaceFolder);
const vscode = stubObject('vscode', {
  Disposable,
  EventEmitter,
  Uri,
  TreeItem: class {
    constructor(label, collapsibleState) {
      this.label = label;
      this.collapsibleState = collapsibleState;
    }
  },
  ThemeIcon: class {
    constructor(id, color) {
      this.id = id;
      this.color = color;
    }
  },
  ThemeColor: class {
    constructor(id) {
      this.id = id;
    }
  },
  MarkdownString: class {
    constructor(value = '') {
      this.value = value;
    }
    appendMarkdown(s) {
      this.value += s;
      return this;
    }
    appendText(s) {
      this.value += s;
      return this;
    }
  },
  RelativePattern: class {
    constructor(base, pattern) {
      this.base = base;
      this.pattern = pattern;
    }
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  window: stubObject('window', {
    createOutputChannel: (name) => logChannel(name),
    createTreeView: () => stubObject('TreeView', { visible: true, message: undefined, reveal: async () => undefined, dispose: noop }),
    createStatusBarItem: () => stubObject('StatusBarItem', { show: noop, hide: noop, dispose: noop }),
    registerWebviewPanelSerializer: disposable,
    registerTreeDataProvider: disposable,
    createWebviewPanel: () => {
      throw new Error('stub: no webview panels at activation');
    },
    showInformationMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    showQuickPick: async () => undefined,
    showInputBox: async () => undefined,
    showTextDocument: async () => undefined,
    activeTextEditor: undefined,
  }),
  workspace: stubObject('workspace', {
    isTrusted: true,
    name: path.basename(workspaceFolder),
    workspaceFolders: [{ uri: folderUri, name: path.basename(workspaceFolder), index: 0 }],
    getConfiguration: (section) =>
      stubObject(`configuration(${section})`, {
        get: (_key, fallback) => fallback,
        has: () => false,
        inspect: () => undefined,
        update: async () => undefined,
      }),
    getWorkspaceFolder: () => ({ uri: folderUri, name: path.basename(workspaceFolder), index: 0 }),
    createFileSystemWatcher: () => stubObject('FileSystemWatcher', { dispose: noop }),
    fs: stubObject('workspace.fs', {}),
  }),
  commands: stubObject('commands', {
    registerCommand: disposable,
    executeCommand: async () => undefined,
  }),
  env: stubObject('env', { clipboard: { writeText: async () => undefined }, appName: 'stub', language: 'en', uiKind: 1 }),
  extensions: stubObject('extensions', { getExtension: () => undefined }),
});

const memento = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()] };
};
const context = stubObject('ExtensionContext', {
  subscriptions: [],
  extensionUri: Uri.file(extensionRoot),
  extensionPath: extensionRoot,
  storageUri: Uri.file(path.join(storageDir, 'workspace')),
  globalStorageUri: Uri.file(path.join(storageDir, 'global')),
  logUri: Uri.file(path.join(storageDir, 'log')),
  workspaceState: memento(),
  globalState: Object.assign(memento(), { setKeysForSync: noop }),
  extensionMode: 1,
  asAbsolutePath: (p) => path.join(extensionRoot, p),
});

// Inject the stub: `require('vscode')` resolves to a module already in the cache.
const stubFile = path.join(__dirname, '__vscode_stub__.js');
const stubModule = new Module(stubFile);
stubModule.filename = stubFile;
stubModule.loaded = true;
stubModule.exports = vscode;
require.cache[stubFile] = stubModule;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? stubFile : resolve.call(this, request, ...rest);
};

// What the bundle pulls in while loading and activating.
const required = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request !== 'vscode') required.add(request);
  return load.call(this, request, ...rest);
};
const filesRead = new Set();
for (const fn of ['readFileSync', 'readFile', 'openSync', 'open']) {
  const original = fs[fn];
  fs[fn] = function (p, ...rest) {
    filesRead.add(String(p));
    return original.call(this, p, ...rest);
  };
}

const t0 = performance.now();
const extension = require(path.resolve(bundle));
const t1 = performance.now();
extension.activate(context);
const t2 = performance.now();
// Give promises started by activate() a turn, so a failure there is seen (not timed).
setImmediate(() => {
  for (const d of context.subscriptions) d && d.dispose && d.dispose();
  process.stdout.write(
    `${JSON.stringify({
      loadMs: t1 - t0,
      activateMs: t2 - t1,
      subscriptions: context.subscriptions.length,
      required: [...required],
      filesRead: [...filesRead].filter((f) => !f.startsWith('node:')),
      missing: [...missing],
    })}\n`,
  );
  process.exit(0);
});
