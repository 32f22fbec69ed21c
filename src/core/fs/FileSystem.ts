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
  /** Atomic: writes a temp file beside `path`, fsyncs, renames over it. A failure leaves `path` as it was. */
  writeTextAtomic(path: string, text: string): Promise<void>;
  appendText(path: string, text: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  stat(path: string): Promise<FileStat | undefined>;
  mkdirp(path: string): Promise<void>;
  readDir(path: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}
