// The page at / of jaeger-query: recent traces, newest first, rendered on the
// server from the same data the API returns. Each trace is a <details>: one
// click opens its spans as a tree with their attributes. No script, so it works
// in any browser, in --dump-dom, and with JavaScript off. Every value is
// escaped: attributes come from whoever sent spans.
import { treeOrder } from './span-tree.js';
import type { JaegerSpan, JaegerTrace } from './store.js';
import { plural } from '../../common/plural.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function duration(micros: number): string {
  return micros >= 1000 ? `${(micros / 1000).toFixed(2)} ms` : `${micros} µs`;
}

function tagValue(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

function isError(span: JaegerSpan): boolean {
  return tagValue(span, 'otel.status_code') === 'ERROR' || tagValue(span, 'error') === true;
}

/** Spans in tree order (parents before children) with their depth. */
export function spanTree(trace: JaegerTrace): { span: JaegerSpan; depth: number }[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID))?.spanID;
  return treeOrder(trace.spans, (span) => span.spanID, parentOf, 64);
}

function renderTrace(trace: JaegerTrace, open: boolean): string {
  const tree = spanTree(trace);
  const root = tree[0]?.span;
  if (!root) return '';
  const service = trace.processes[root.processID]?.serviceName ?? 'unknown_service';
  const status = tagValue(root, 'http.response.status_code') ?? tagValue(root, 'http.status');
  const error = trace.spans.some(isError);
  const when = new Date(root.startTime / 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
  const spans = tree
    .map(({ span, depth }) => {
      const rows = span.tags.map((t) => `<tr><th>${escapeHtml(t.key)}</th><td>${escapeHtml(String(t.value))}</td></tr>`).join('');
      return `<div class="span${isError(span) ? ' error' : ''}" style="margin-left:${depth * 1.5}em" data-span-id="${escapeHtml(span.spanID)}">
<div class="span-head"><b>${escapeHtml(trace.processes[span.processID]?.serviceName ?? '')}</b> ${escapeHtml(span.operationName)} <span class="dur">${duration(span.duration)}</span></div>
<table class="tags">${rows}</table></div>`;
    })
    .join('\n');
  return `<details class="trace${error ? ' error' : ''}" id="trace-${escapeHtml(trace.traceID)}" data-trace-id="${escapeHtml(trace.traceID)}"${open ? ' open' : ''}>
<summary><span class="svc">${escapeHtml(service)}</span>: <span class="op">${escapeHtml(root.operationName)}</span>${status !== undefined ? ` <span class="status">${escapeHtml(String(status))}</span>` : ''}${error ? ' <span class="err">error</span>' : ''} · ${plural(trace.spans.length, 'span')} · ${duration(root.duration)} · <span class="when">${escapeHtml(when)}</span> · <a href="/api/traces/${escapeHtml(trace.traceID)}">JSON</a></summary>
${spans}
</details>`;
}

export function tracePage(traces: JaegerTrace[], openTraceId?: string): string {
  const body = traces.length
    ? traces.map((t) => renderTrace(t, t.traceID === openTraceId)).join('\n')
    : '<p id="empty">No traces yet. Send a request through the gateway, then reload.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jaeger (agw-workshop) — recent traces</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} summary{cursor:pointer;padding:.35em;border-bottom:1px solid #ddd}
.trace.error>summary{background:#fde8e8} .err{color:#b00;font-weight:bold}
.status{font-family:monospace;background:#eee;padding:0 .3em} .svc{color:#235}
.span{border-left:3px solid #58a;margin:.5em 0;padding-left:.5em} .span.error{border-color:#c33}
.tags th{text-align:left;font-weight:normal;color:#555;padding-right:1em;font-family:monospace;vertical-align:top}
.tags td{font-family:monospace;white-space:pre-wrap;word-break:break-all}
.dur{color:#777}
</style></head>
<body><h1>Recent traces</h1>
<p>Newest first; click a trace to see its spans and their attributes. The same data: <a href="/api/services">/api/services</a>, /api/traces?service=NAME, /api/traces/ID.</p>
${body}
</body></html>
`;
}
