// The file access the core needs, passed in (infra/NodeFileSystem in production, the same in tests:
// core tests run against real temporary folders).

export interface FileStat {
  mtimeMs: number;
  size: number;
  isFile: boolean;
  isDirectory: boolean;
}

export interface FileSystem {
  readText(path: string): Promise<string>;
  /**
   * Atomic: writes a temp file beside `path`, fsyncs, renames over it. A failure leaves `path` as it was. The
   * replaced file's mode is kept; a symlink at `path` is replaced by the file.
   */
  writeTextAtomic(path: string, text: string): Promise<void>;
  /**
   * writeTextAtomic for a file of the user's (the ledger): done only if `path` still holds exactly `expected` right
   * before the rename, false (nothing written) when it changed meanwhile, so the caller re-reads and tries again
   * instead of losing that change. A symlink is written through to its target and stays a link.
   */
  replaceTextAtomic(path: string, expected: string, text: string): Promise<boolean>;
  appendText(path: string, text: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  stat(path: string): Promise<FileStat | undefined>;
  mkdirp(path: string): Promise<void>;
  readDir(path: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}
