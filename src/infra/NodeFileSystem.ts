import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileStat, FileSystem } from '../core/fs/FileSystem';

let tempCounter = 0;

/** Writes `text` to `file` atomically: temp file in the same folder, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`);
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** Synchronous twin, for exit paths where the event loop will not run again. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export class NodeFileSystem implements FileSystem {
  readText(p: string): Promise<string> {
    return fsp.readFile(p, 'utf8');
  }
  writeTextAtomic(p: string, text: string): Promise<void> {
    return writeFileAtomic(p, text);
  }
  appendText(p: string, text: string): Promise<void> {
    return fsp.appendFile(p, text, 'utf8');
  }
  async exists(p: string): Promise<boolean> {
    return (await this.stat(p)) !== undefined;
  }
  async stat(p: string): Promise<FileStat | undefined> {
    try {
      const s = await fsp.stat(p);
      return { mtimeMs: s.mtimeMs, size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory() };
    } catch {
      return undefined;
    }
  }
  async mkdirp(p: string): Promise<void> {
    await fsp.mkdir(p, { recursive: true });
  }
  readDir(p: string): Promise<string[]> {
    return fsp.readdir(p);
  }
  remove(p: string): Promise<void> {
    return fsp.rm(p, { force: true, recursive: true });
  }
  rename(from: string, to: string): Promise<void> {
    return fsp.rename(from, to);
  }
}
