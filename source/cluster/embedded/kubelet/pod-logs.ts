// Pod logs are bounded as the kubelet bounds them (containerLogMaxSize 10Mi,
// containerLogMaxFiles 5): past the size, the log is copied to `.1` (older
// copies shift up, the oldest is dropped) and truncated in place. The pod
// writes through an O_APPEND descriptor, so it carries on at the new end.
import fs from 'node:fs';

export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const CONTAINER_LOG_MAX_FILES = 5;
export const LOG_CHECK_INTERVAL_MS = 1000;

/** Rotates `file` when it is larger than `maxBytes`; true when it did. Keeps at most `maxFiles` files in all. */
export function rotatePodLog(file: string, maxBytes = CONTAINER_LOG_MAX_BYTES, maxFiles = CONTAINER_LOG_MAX_FILES): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  if (size <= maxBytes) return false;
  for (let n = maxFiles - 1; n >= 2; n--) {
    try {
      fs.renameSync(`${file}.${n - 1}`, `${file}.${n}`);
    } catch { /* absent */ }
  }
  if (maxFiles > 1) fs.copyFileSync(file, `${file}.1`);
  fs.truncateSync(file, 0);
  return true;
}
