// The lesson screen's trace view as data: the last requests through the
// gateway, each a span tree with the attributes a learner looks for (status,
// route, response flags, model and tokens, the error's reason), built from
// Jaeger's query API answer and cut to the pane's width.
import { treeOrder } from '../../workloads/jaeger/span-tree.js';
import { truncateLine, wrapLine, type Line, type Segment } from '../common/lines.js';

/** Prompt and completion take at most this many wrapped lines (the page and the API have them whole). */
const CONTENT_LINES = 3;

export type AttributeValue = string | number | boolean;

export interface SpanView {
  spanId: string;
  parentId?: string;
  name: string;
  service: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  attributes: Record<string, AttributeValue>;
}

export interface TraceView {
  traceId: string;
  spans: SpanView[];
}

/** Jaeger's /api/traces answer → TraceViews (anything unexpected is skipped, not thrown). */
export function traceViewsFromJaeger(body: unknown): TraceView[] {
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data)) return [];
  const out: TraceView[] = [];
  for (const trace of data) {
    if (!trace || typeof trace !== 'object' || !Array.isArray(trace.spans)) continue;
    const processes = (trace.processes ?? {}) as Record<string, { serviceName?: string }>;
    const spans: SpanView[] = trace.spans.map((s: any) => {
      const attributes: Record<string, AttributeValue> = {};
      for (const tag of Array.isArray(s.tags) ? s.tags : []) {
        if (typeof tag?.key === 'string' && ['string', 'number', 'boolean'].includes(typeof tag.value)) attributes[tag.key] = tag.value;
      }
      const parent = Array.isArray(s.references) ? s.references.find((r: any) => r?.refType === 'CHILD_OF')?.spanID : undefined;
      return {
        spanId: String(s.spanID ?? ''),
        parentId: typeof parent === 'string' ? parent : undefined,
        name: String(s.operationName ?? ''),
        service: processes[s.processID]?.serviceName ?? '',
        startMs: Number(s.startTime ?? 0) / 1000,
        durationMs: Number(s.duration ?? 0) / 1000,
        error: attributes['otel.status_code'] === 'ERROR' || attributes.error === true,
        attributes,
      };
    });
    out.push({ traceId: String(trace.traceID ?? ''), spans });
  }
  return out.sort((a, b) => Math.min(...b.spans.map((s) => s.startMs)) - Math.min(...a.spans.map((s) => s.startMs)));
}

function ordered(trace: TraceView): { span: SpanView; depth: number }[] {
  const byStart = [...trace.spans].sort((a, b) => a.startMs - b.startMs);
  return treeOrder(byStart, (span) => span.spanId, (span) => span.parentId, 16);
}

const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
const clock = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 19);

/** The attribute lines under a span: only what explains the request. */
function detailSegments(a: Record<string, AttributeValue>): Segment[][] {
  const rows: Segment[][] = [];
  const route = a['gateway.route'] ?? a['http.route'];
  const flags = a['gateway.response_flags'];
  if (route !== undefined || (flags !== undefined && flags !== '-')) {
    rows.push([
      ...(route !== undefined ? [{ text: 'route ', role: 'dim' as const }, { text: String(route) }] : []),
      ...(flags !== undefined && flags !== '-' ? [{ text: `${route !== undefined ? ' · ' : ''}flags `, role: 'dim' as const }, { text: String(flags), role: 'warn' as const }] : []),
    ]);
  }
  const model = a['gen_ai.request.model'] ?? a['llm.request.model'];
  if (model !== undefined) {
    const input = a['gen_ai.usage.input_tokens'];
    const output = a['gen_ai.usage.output_tokens'];
    rows.push([
      { text: 'model ', role: 'dim' },
      { text: String(model), role: 'accent' },
      ...(input !== undefined || output !== undefined ? [{ text: ' · tokens ', role: 'dim' as const }, { text: `${input ?? '?'} in, ${output ?? '?'} out` }] : []),
    ]);
  }
  const prompt = a['gen_ai.prompt'];
  if (typeof prompt === 'string') rows.push([{ text: 'prompt ', role: 'dim' }, { text: prompt }]);
  const completion = a['gen_ai.completion'];
  if (typeof completion === 'string') rows.push([{ text: 'completion ', role: 'dim' }, { text: completion }]);
  const reason = a['otel.status_description'];
  if (typeof reason === 'string') rows.push([{ text: 'error ', role: 'fail' }, { text: reason, role: 'fail' }]);
  return rows;
}

export interface TracePaneState {
  traces: TraceView[];
  /** Why there is nothing to show (the trace service is not there, unreachable, …). */
  problem?: string;
  loading?: boolean;
}

export function traceLines(state: TracePaneState, width: number): Line[] {
  const lines: Line[] = [[{ text: 'Traces', role: 'heading' }, { text: ' · the last requests through the gateway, newest first', role: 'dim' }]];
  lines.push([]);
  if (state.problem) {
    lines.push([{ text: state.problem, role: 'warn' }]);
    return lines.map((l) => truncateLine(l, width));
  }
  if (state.traces.length === 0) {
    lines.push([{ text: state.loading ? 'Reading the trace service…' : 'No traces yet: run a probe step, then look again.', role: 'dim' }]);
    return lines.map((l) => truncateLine(l, width));
  }
  for (const trace of state.traces) {
    for (const { span, depth } of ordered(trace)) {
      const a = span.attributes;
      const status = a['http.response.status_code'] ?? a['http.status'];
      const indent = '  '.repeat(depth);
      lines.push([
        { text: `${indent}${span.error ? '✘' : '●'} `, role: span.error ? 'fail' : 'ok' },
        { text: span.name, role: 'bold' },
        ...(status !== undefined ? [{ text: ` ${status}`, role: (span.error ? 'fail' : 'accent') as Segment['role'] }] : []),
        { text: `  ${ms(span.durationMs)}  ${clock(span.startMs)}`, role: 'dim' },
        ...(depth > 0 || span.service !== 'agentgateway' ? [{ text: `  ${span.service}`, role: 'dim' as const }] : []),
      ]);
      const pad = { text: `${indent}    ` };
      for (const row of detailSegments(a)) {
        const wrapped = wrapLine([pad, ...row], width, [pad]);
        const content = row[0]?.text === 'prompt ' || row[0]?.text === 'completion ';
        lines.push(...(content && wrapped.length > CONTENT_LINES ? [...wrapped.slice(0, CONTENT_LINES - 1), [...wrapped[CONTENT_LINES - 1]!, { text: '…', role: 'dim' as const }]] : wrapped));
      }
    }
    lines.push([]);
  }
  return lines.map((l) => truncateLine(l, width));
}
