// GET: one object, a list (label/field selectors, limit/continue, Tables for
// kubectl get), a watch, and pods/log.
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { notFound, present, type ApiContext, type ResourceTarget } from './api-context.js';
import { sendJson } from './http-util.js';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './tables.js';
import { serveWatch } from './watch-stream.js';
import type { KubeObject } from '../store/store-types.js';

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function decodeContinue(token: string | null): number {
  if (!token) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'BadRequest', `invalid continue token "${token}"`);
  return offset;
}

export function handleGet(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): void {
  const accept = req.headers.accept;
  if (target.name === undefined) {
    if (isTrue(query.get('watch'))) {
      const asTable = wantsTable(accept);
      let first = true;
      // `kubectl get -w`: each event carries a one-row Table; column definitions only with the first, as the real server does.
      const shape = (o: KubeObject): unknown => {
        const shown = present(target, o);
        if (!asTable) return shown;
        const table = toTable(target.type, [shown], o.metadata.resourceVersion ?? '', query.get('includeObject') ?? undefined, target.apiVersion);
        if (!first) table.columnDefinitions = [];
        first = false;
        return table;
      };
      serveWatch(ctx.store, res, {
        key: target.key,
        namespace: target.namespace,
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        allowBookmarks: isTrue(query.get('allowWatchBookmarks')),
        sendInitialEvents: isTrue(query.get('sendInitialEvents')),
        timeoutSeconds: query.get('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
        bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        present: shape,
        apiVersion: target.apiVersion,
        kind: target.type.kind,
      });
      return;
    }
    const all = ctx.store.list(target.key, {
      namespace: target.namespace,
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
    });
    const offset = decodeContinue(query.get('continue'));
    const limit = Number(query.get('limit') ?? 0);
    const end = limit > 0 ? offset + limit : all.items.length;
    const items = all.items.slice(offset, end).map((o) => present(target, o));
    const metadata: Record<string, unknown> = { resourceVersion: all.resourceVersion };
    if (end < all.items.length) {
      metadata.continue = Buffer.from(String(end)).toString('base64url');
      metadata.remainingItemCount = all.items.length - end;
    }
    if (wantsTable(accept)) {
      const table = toTable(target.type, items, all.resourceVersion, query.get('includeObject') ?? undefined, target.apiVersion);
      sendJson(res, 200, { ...table, metadata: { ...table.metadata, ...metadata } }, TABLE_CONTENT_TYPE, target.warnings);
      return;
    }
    sendJson(res, 200, { kind: target.type.listKind, apiVersion: target.apiVersion, metadata, items }, 'application/json', target.warnings);
    return;
  }

  const object = ctx.store.get(target.key, target.namespace, target.name);
  if (!object) throw notFound(target, target.name);
  if (target.subresource === 'log') {
    servePodLog(ctx, res, target, query);
    return;
  }
  if (target.subresource !== undefined && target.subresource !== 'status') throw ApiError.noSuchResource();
  const shown = present(target, object);
  if (wantsTable(accept) && target.subresource === undefined) {
    sendJson(res, 200, toTable(target.type, [shown], ctx.store.resourceVersion, query.get('includeObject') ?? undefined, target.apiVersion), TABLE_CONTENT_TYPE, target.warnings);
    return;
  }
  sendJson(res, 200, shown, 'application/json', target.warnings);
}

function tail(text: string, lines: number): string {
  const parts = text.split('\n');
  const trailingNewline = parts[parts.length - 1] === '';
  if (trailingNewline) parts.pop();
  return parts.slice(Math.max(0, parts.length - lines)).join('\n') + (trailingNewline && parts.length ? '\n' : '');
}

/** `kubectl logs`: the pod's log file as the kubelet writes it; `follow` streams what is appended until the pod goes. */
function servePodLog(ctx: ApiContext, res: ServerResponse, target: ResourceTarget, query: URLSearchParams): void {
  if (target.type.group !== '' || target.type.plural !== 'pods') throw ApiError.noSuchResource();
  const file = path.join(ctx.podLogDir, `${target.namespace}_${target.name}.log`);
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // Not started yet: an empty log, as for a container that has printed nothing.
  }
  const tailLines = query.get('tailLines');
  if (tailLines !== null && Number(tailLines) >= 0) text = tail(text, Number(tailLines));
  if (!isTrue(query.get('follow'))) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  res.write(text);
  let position = fs.existsSync(file) ? fs.statSync(file).size : 0;
  const timer = setInterval(() => {
    if (!ctx.store.get(target.key, target.namespace, target.name!)) {
      res.end();
      return;
    }
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size < position) position = 0; // the kubelet truncated it (pod restarted)
    if (size === position) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - position);
      fs.readSync(fd, buffer, 0, buffer.length, position);
      position = size;
      res.write(buffer);
    } finally {
      fs.closeSync(fd);
    }
  }, 200);
  res.on('close', () => clearInterval(timer));
}
