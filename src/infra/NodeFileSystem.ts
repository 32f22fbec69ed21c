import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileStat, FileSystem } from '../core/fs/FileSystem';

let tempCounter = 0;

/**
 * The file a write to `file` replaces, and the permission bits to give the new copy: an existing file keeps its
 * mode (a 0600 file stays 0600). A symlink is written through to its target (the link stays a link) only when
 * asked: the runner's own files are replaced, so a link planted in a repository never redirects a write.
 */
async function replacedFile(file: string, followSymlink: boolean): Promise<{ target: string; mode?: number }> {
  let target = file;
  try {
    if (followSymlink) target = await fsp.realpath(file);
    else if ((await fsp.lstat(file)).isSymbolicLink()) return { target };
  } catch {
    // Does not exist yet (or a dangling link): written where asked, with the default mode.
    return { target };
  }
  try {
    return { target, mode: (await fsp.stat(target)).mode & 0o7777 };
  } catch {
    return { target };
  }
}

/**
 * Writes `data` to `file` atomically: temp file in the target's folder, fsync, rename; the mode of the file
 * replaced is kept. With `expected`, the user's file is meant: a symlink is written through, and the rename
 * happens only if the file still holds exactly that text right before it (returns false otherwise, writing
 * nothing), so an edit made meanwhile is never lost.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, expected?: string): Promise<boolean> {
  const { target, mode } = await replacedFile(file, expected !== undefined);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`);
  const handle = await fsp.open(tmp, 'w', mode ?? 0o666);
  try {
    // open() applies the umask; the file replaced had exactly these bits.
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  if (expected === undefined) {
    try {
      await fsp.rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return true;
  }
  return renameIfUnchanged(tmp, target, expected);
}

/**
 * Renames `tmp` over `target` if `target` still holds `expected`. The file is compared through an open handle,
 * which still reads the replaced file after the rename: bytes appended to it between the comparison and the
 * rename (a writer that opened it just before) are appended to the new file, so even that window loses nothing.
 */
/** When to look for bytes a writer still appended to the replaced file: at once, then after these pauses. */
const LATE_APPEND_PAUSES_MS = [0, 20, 80];

async function renameIfUnchanged(tmp: string, target: string, expected: string): Promise<boolean> {
  const handle = await fsp.open(target, 'r').catch(() => undefined);
  try {
    const now = handle ? await handle.readFile('utf8') : undefined;
    // Replaced meanwhile (an editor saving atomically) is a change even when the bytes read were the old ones.
    const same = handle !== undefined && now === expected && (await fsp.stat(target)).ino === (await handle.stat()).ino;
    if (!same) {
      await fsp.rm(tmp, { force: true });
      return false;
    }
    await fsp.rename(tmp, target);
    // readFile goes on from where the last read stopped: only what was appended since. A writer that opened
    // the old file just before the rename may write a moment later (under load, tens of milliseconds): look
    // again after short pauses, so its line also reaches the new file.
    for (const pauseMs of LATE_APPEND_PAUSES_MS) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const late = await handle.readFile('utf8');
      if (late) await fsp.appendFile(target, late);
    }
    return true;
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  } finally {
    await handle?.close();
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
  async writeTextAtomic(p: string, text: string): Promise<void> {
    await writeFileAtomic(p, text);
  }
  replaceTextAtomic(p: string, expected: string, text: string): Promise<boolean> {
    return writeFileAtomic(p, text, expected);
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
