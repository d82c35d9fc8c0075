// Pod logs are bounded as the kubelet bounds them (containerLogMaxSize 10Mi,
// containerLogMaxFiles 5): past the size, the log is copied to `.1` (older
// copies shift up, the oldest is dropped) and truncated in place. The pod
// writes through an O_APPEND descriptor, so it carries on at the new end.
// `AGW_CONTAINER_LOG_MAX_SIZE` in the cluster process's environment sets the
// size in the kubelet's quantity form (`10Mi`, `64Ki`, `500000`): tests set it
// small to watch rotation happen in a running pod.
import fs from 'node:fs';

export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;
const QUANTITY_UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** containerLogMaxSize from the environment (kubelet quantity syntax); the default when unset or not a positive size. */
export function containerLogMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.AGW_CONTAINER_LOG_MAX_SIZE?.trim();
  const match = text ? /^(\d+)(k|K|M|G|Ki|Mi|Gi)?$/.exec(text) : null;
  if (!match) return CONTAINER_LOG_MAX_BYTES;
  const bytes = Number(match[1]) * QUANTITY_UNITS[match[2] ?? '']!;
  return bytes > 0 ? bytes : CONTAINER_LOG_MAX_BYTES;
}
export const CONTAINER_LOG_MAX_FILES = 5;
export const LOG_CHECK_INTERVAL_MS = 1000;

/** Rotates `file` when it is larger than `maxBytes`; true when it did. Keeps at most `maxFiles` files in all. */
export function rotatePodLog(file: string, maxBytes = containerLogMaxBytes(), maxFiles = CONTAINER_LOG_MAX_FILES): boolean {
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
