// A watch over HTTP: 200 with headers flushed at once (kubectl waits for them),
// then one JSON event per line. From a resourceVersion, only later events;
// without one (or "0"), the current objects as ADDED first, as the real server.
// Cleans up on the response's `close`, which fires when the client goes away.
import type { ServerResponse } from 'node:http';
import { isApiError } from './api-error.js';
import { objectFilter } from './selectors.js';
import type { MemoryStore } from '../store/store.js';
import type { KubeObject, ResourceKey, WatchEvent } from '../store/store-types.js';

export interface WatchRequest {
  key: ResourceKey;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  /** `sendInitialEvents=true` (watch-list): current objects first, then a bookmark marking their end. */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Bookmark cadence; the real server sends one about every minute. */
  bookmarkIntervalMs?: number;
  /** Shapes an object for the client: the apiVersion it asked for, or a Table row. */
  present: (object: KubeObject) => unknown;
  /** apiVersion/kind for bookmark objects. */
  apiVersion: string;
  kind: string;
}

const MAX_WATCH_SECONDS = 30 * 60;

export function serveWatch(store: MemoryStore, res: ServerResponse, request: WatchRequest): void {
  const filter = { namespace: request.namespace, labelSelector: request.labelSelector, fieldSelector: request.fieldSelector };
  objectFilter(filter); // a malformed selector is a 400, before any header is sent
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const send = (event: { type: string; object: unknown }) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(event)}\n`);
  };

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: (() => void) | undefined;
  const finish = () => {
    for (const t of timers) clearTimeout(t);
    unsubscribe?.();
    unsubscribe = undefined;
    if (!res.writableEnded) res.end();
  };
  res.on('close', finish);

  let since = request.resourceVersion;
  if (!since || since === '0' || request.sendInitialEvents) {
    // "Get state and start at most recent": synthetic ADDED for what exists now.
    const current = store.list(request.key, filter);
    for (const o of current.items) send({ type: 'ADDED', object: request.present(o) });
    since = current.resourceVersion;
    if (request.sendInitialEvents) {
      // Watch-list clients wait for this bookmark to know the initial state is complete.
      send({
        type: 'BOOKMARK',
        object: { kind: request.kind, apiVersion: request.apiVersion, metadata: { resourceVersion: since, annotations: { 'k8s.io/initial-events-end': 'true' } } },
      });
    }
  }
  try {
    unsubscribe = store.watch(request.key, (event: WatchEvent) => send({ type: event.type, object: request.present(event.object) }), {
      ...filter,
      sinceResourceVersion: since,
    });
  } catch (error) {
    // The real server reports an expired resourceVersion as an ERROR event carrying a 410 Status.
    if (isApiError(error)) send({ type: 'ERROR', object: error.toStatus() });
    finish();
    return;
  }

  const seconds = Math.min(request.timeoutSeconds && request.timeoutSeconds > 0 ? request.timeoutSeconds : MAX_WATCH_SECONDS, MAX_WATCH_SECONDS);
  timers.push(setTimeout(finish, seconds * 1000));
  if (request.allowBookmarks) {
    const interval = request.bookmarkIntervalMs ?? 15_000;
    const bookmark = () => {
      send({ type: 'BOOKMARK', object: { kind: request.kind, apiVersion: request.apiVersion, metadata: { resourceVersion: store.resourceVersion } } });
      timers.push(setTimeout(bookmark, interval));
    };
    timers.push(setTimeout(bookmark, interval));
  }
}
