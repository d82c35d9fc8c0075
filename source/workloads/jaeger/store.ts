// The recent traces, in memory and bounded (oldest trace evicted first), and
// their shape in Jaeger's query API (jaeger-query's /api/traces JSON, the
// "UI model": microsecond times, tags with types, processes by id), so tools
// that read Jaeger can read this.
import type { Attribute, AttributeValue, DecodedSpan } from './otlp.js';

export const STORE_LIMITS = { maxTraces: 1000, maxSpansPerTrace: 1000, maxValueLength: 65_536 };

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | number | boolean;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: { refType: 'CHILD_OF'; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

const KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

function tag(key: string, value: AttributeValue): JaegerTag {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return Number.isInteger(value) ? { key, type: 'int64', value } : { key, type: 'float64', value };
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { key, type: 'string', value: text.length > STORE_LIMITS.maxValueLength ? `${text.slice(0, STORE_LIMITS.maxValueLength)}…` : text };
}

const tags = (attributes: Attribute[]) => attributes.map((a) => tag(a.key, a.value));
const micros = (nanos: bigint) => Number(nanos / 1000n);

export function serviceName(span: DecodedSpan): string {
  const value = span.resource.find((a) => a.key === 'service.name')?.value;
  return typeof value === 'string' && value ? value : 'unknown_service';
}

/** One span in Jaeger's shape; its process is resolved by the trace. */
function jaegerSpan(span: DecodedSpan, processID: string): JaegerSpan {
  const out = tags(span.attributes);
  // The tags Jaeger's OTLP receiver adds for what OTLP carries outside attributes.
  if (KINDS[span.kind]) out.push({ key: 'span.kind', type: 'string', value: KINDS[span.kind]! });
  if (span.scope) out.push({ key: 'otel.scope.name', type: 'string', value: span.scope });
  if (span.statusCode === 1) out.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  if (span.statusCode === 2) {
    out.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    if (!span.attributes.some((a) => a.key === 'error')) out.push({ key: 'error', type: 'bool', value: true });
    if (span.statusMessage) out.push({ key: 'otel.status_description', type: 'string', value: span.statusMessage });
  }
  const start = micros(span.startTimeUnixNano);
  return {
    traceID: span.traceId,
    spanID: span.spanId,
    flags: 1,
    operationName: span.name,
    references: span.parentSpanId ? [{ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId }] : [],
    startTime: start,
    duration: Math.max(0, micros(span.endTimeUnixNano) - start),
    tags: out,
    logs: span.events.map((e) => ({ timestamp: micros(e.timeUnixNano), fields: [{ key: 'event', type: 'string', value: e.name }, ...tags(e.attributes)] })),
    processID: '',
    warnings: null,
  };
}

export interface TraceQuery {
  service: string;
  operation?: string;
  /** Microseconds since the epoch. */
  start?: number;
  end?: number;
  limit?: number;
  /** Every tag must be present with this value (as text). */
  tags?: Record<string, string>;
}

const VALID_ID = /^[0-9a-f]{1,32}$/;

export class TraceStore {
  /** traceId → spans, in order of first arrival (a Map keeps insertion order: the first is the oldest). */
  private readonly traces = new Map<string, DecodedSpan[]>();
  dropped = 0;

  constructor(private readonly limits = STORE_LIMITS) {}

  get size(): number {
    return this.traces.size;
  }

  add(spans: DecodedSpan[]): void {
    for (const span of spans) {
      if (!VALID_ID.test(span.traceId) || !span.spanId) {
        this.dropped++;
        continue;
      }
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        trace = [];
        this.traces.set(span.traceId, trace);
        while (this.traces.size > this.limits.maxTraces) this.traces.delete(this.traces.keys().next().value!);
      }
      if (trace.length >= this.limits.maxSpansPerTrace) {
        this.dropped++;
        continue;
      }
      trace.push(span);
    }
  }

  services(): string[] {
    const names = new Set<string>();
    for (const spans of this.traces.values()) for (const s of spans) names.add(serviceName(s));
    return [...names].sort();
  }

  operations(service: string): string[] {
    const names = new Set<string>();
    for (const spans of this.traces.values()) for (const s of spans) if (serviceName(s) === service) names.add(s.name);
    return [...names].sort();
  }

  /** A trace by id (leading zeros optional, as Jaeger accepts). */
  get(traceId: string): JaegerTrace | undefined {
    const id = traceId.toLowerCase().padStart(32, '0');
    const spans = this.traces.get(id) ?? this.traces.get(traceId.toLowerCase());
    return spans ? toJaeger(id, spans) : undefined;
  }

  /** Newest first, as Jaeger's search lists them. */
  find(query: TraceQuery): JaegerTrace[] {
    const out: JaegerTrace[] = [];
    const limit = query.limit && query.limit > 0 ? query.limit : 20;
    for (const [id, spans] of [...this.traces.entries()].reverse()) {
      const matches = spans.some((s) => {
        if (serviceName(s) !== query.service) return false;
        if (query.operation && s.name !== query.operation) return false;
        const start = micros(s.startTimeUnixNano);
        if (query.start !== undefined && start < query.start) return false;
        if (query.end !== undefined && start > query.end) return false;
        if (query.tags) {
          const all = [...s.attributes, ...(s.statusCode === 2 ? [{ key: 'error', value: 'true' }] : [])];
          for (const [key, value] of Object.entries(query.tags)) if (!all.some((a) => a.key === key && String(a.value) === value)) return false;
        }
        return true;
      });
      if (!matches) continue;
      out.push(toJaeger(id, spans));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The most recent traces of any service, newest first (for the page). */
  recent(limit: number): JaegerTrace[] {
    return [...this.traces.entries()].slice(-limit).reverse().map(([id, spans]) => toJaeger(id, spans));
  }
}

export function toJaeger(traceId: string, spans: DecodedSpan[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const byResource = new Map<string, string>();
  const out = spans.map((span) => {
    const key = JSON.stringify(span.resource);
    let processID = byResource.get(key);
    if (!processID) {
      processID = `p${byResource.size + 1}`;
      byResource.set(key, processID);
      processes[processID] = { serviceName: serviceName(span), tags: tags(span.resource.filter((a) => a.key !== 'service.name')) };
    }
    return { ...jaegerSpan(span, processID), processID };
  });
  out.sort((a, b) => a.startTime - b.startTime);
  return { traceID: traceId, spans: out, processes, warnings: null };
}
