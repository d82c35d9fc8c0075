// Every state file is written whole or not at all: write a temp file in the
// same directory, fsync it, rename over the target, fsync the directory. A
// crash or kill -9 leaves either the old or the new file, never a torn one,
// and once the promise resolves the rename itself survives a power loss.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

export interface WriteOptions {
  /** File mode; private keys and tokens use 0o600. */
  mode?: number;
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o644;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempName(target);
  const handle = await fsp.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.chmod(tmp, mode); // umask may have narrowed or widened it
    await fsp.rename(tmp, target);
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(target));
}

/** Errors that mean "this file system cannot fsync a directory", not a failed write. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EBADF']);

function unsupported(error: unknown): boolean {
  return DIRECTORY_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '');
}

/** A rename is durable only once its directory is: fsync it (where the platform allows opening a directory). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(dir, 'r');
  } catch {
    return; // Windows cannot open a directory; its renames are journaled by NTFS
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

/** syncDirectory for the synchronous writer. */
function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!unsupported(error)) throw error;
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const mode = options.mode ?? 0o644;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempName(target);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  syncDirectorySync(path.dirname(target));
}

export async function writeJsonAtomic(target: string, value: unknown, options: WriteOptions = {}): Promise<void> {
  await writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n', options);
}

/** Reads JSON, or returns `fallback` when the file does not exist. */
export async function readJsonOr<T>(file: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
}
