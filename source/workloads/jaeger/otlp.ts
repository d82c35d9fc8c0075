// OTLP trace export requests (ExportTraceServiceRequest), protobuf and JSON,
// decoded into flat spans. Both parse untrusted bytes: the protobuf side reads
// through the project's bounds-checked wire Reader, nesting is bounded, and
// what exceeds the limits below ends in an OtlpError (a 400), never a crash.
// Field numbers: opentelemetry/proto/{collector/trace,trace,common,resource}/v1.
import { ProtobufError, Reader, WIRE, type Field } from '../../cluster/embedded/protobuf/wire.js';

export class OtlpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpError';
  }
}

export type AttributeValue = string | number | boolean | AttributeValue[] | { [key: string]: AttributeValue };

export interface Attribute {
  key: string;
  value: AttributeValue;
}

export interface DecodedEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attribute[];
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attribute[];
  events: DecodedEvent[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  resource: Attribute[];
  scope: string;
}

export const OTLP_LIMITS = {
  /** Spans in one export request. */
  maxSpans: 10_000,
  /** Attributes kept per span, resource or event. */
  maxAttributes: 256,
  /** Nesting of array/kvlist attribute values. */
  maxDepth: 8,
};

const utf8 = new TextDecoder('utf-8', { fatal: false });

// ---- protobuf ----

function bytesOf(field: Field): Buffer {
  if (field.wireType !== WIRE.bytes) throw new OtlpError(`field ${field.number} has wire type ${field.wireType}, expected length-delimited`);
  return field.bytes!;
}

function stringOf(field: Field): string {
  return utf8.decode(bytesOf(field));
}

function fixed64Of(field: Field): bigint {
  if (field.wireType !== WIRE.fixed64) throw new OtlpError(`field ${field.number} has wire type ${field.wireType}, expected fixed64`);
  return field.bytes!.readBigUInt64LE(0);
}

function varintOf(field: Field): bigint {
  if (field.wireType !== WIRE.varint) throw new OtlpError(`field ${field.number} has wire type ${field.wireType}, expected varint`);
  return field.varint!;
}

function fields(bytes: Buffer): Field[] {
  try {
    return Reader.fields(bytes);
  } catch (error) {
    if (error instanceof ProtobufError) throw new OtlpError(error.message);
    throw error;
  }
}

function anyValue(bytes: Buffer, depth: number): AttributeValue {
  if (depth > OTLP_LIMITS.maxDepth) throw new OtlpError(`attribute values nested deeper than ${OTLP_LIMITS.maxDepth}`);
  let value: AttributeValue = '';
  for (const f of fields(bytes)) {
    switch (f.number) {
      case 1: value = stringOf(f); break;
      case 2: value = varintOf(f) !== 0n; break;
      case 3: value = Number(BigInt.asIntN(64, varintOf(f))); break;
      case 4:
        if (f.wireType !== WIRE.fixed64) throw new OtlpError('double_value is not fixed64');
        value = f.bytes!.readDoubleLE(0);
        break;
      case 5: value = fields(bytesOf(f)).filter((v) => v.number === 1).slice(0, OTLP_LIMITS.maxAttributes).map((v) => anyValue(bytesOf(v), depth + 1)); break;
      case 6: value = Object.fromEntries(keyValues(bytesOf(f), 1, depth + 1).map((a) => [a.key, a.value])); break;
      case 7: value = bytesOf(f).toString('base64'); break;
      default: break;
    }
  }
  return value;
}

/** The repeated KeyValue field `number` of a message. */
function keyValues(bytes: Buffer, number: number, depth = 0): Attribute[] {
  const out: Attribute[] = [];
  for (const f of fields(bytes)) {
    if (f.number !== number) continue;
    if (out.length >= OTLP_LIMITS.maxAttributes) continue;
    let key = '';
    let value: AttributeValue = '';
    for (const kv of fields(bytesOf(f))) {
      if (kv.number === 1) key = stringOf(kv);
      else if (kv.number === 2) value = anyValue(bytesOf(kv), depth);
    }
    out.push({ key, value });
  }
  return out;
}

const hex = (bytes: Buffer) => bytes.toString('hex');

function protobufSpan(bytes: Buffer, resource: Attribute[], scope: string): DecodedSpan {
  const span: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startTimeUnixNano: 0n, endTimeUnixNano: 0n, attributes: [], events: [], statusCode: 0, statusMessage: '', resource, scope };
  for (const f of fields(bytes)) {
    switch (f.number) {
      case 1: span.traceId = hex(bytesOf(f)); break;
      case 2: span.spanId = hex(bytesOf(f)); break;
      case 4: span.parentSpanId = hex(bytesOf(f)); break;
      case 5: span.name = stringOf(f); break;
      case 6: span.kind = Number(varintOf(f) & 0xffn); break;
      case 7: span.startTimeUnixNano = fixed64Of(f); break;
      case 8: span.endTimeUnixNano = fixed64Of(f); break;
      case 11: {
        if (span.events.length >= OTLP_LIMITS.maxAttributes) break;
        const event: DecodedEvent = { timeUnixNano: 0n, name: '', attributes: [] };
        const eventBytes = bytesOf(f);
        for (const e of fields(eventBytes)) {
          if (e.number === 1) event.timeUnixNano = fixed64Of(e);
          else if (e.number === 2) event.name = stringOf(e);
        }
        event.attributes = keyValues(eventBytes, 3);
        span.events.push(event);
        break;
      }
      case 15:
        for (const s of fields(bytesOf(f))) {
          if (s.number === 2) span.statusMessage = stringOf(s);
          else if (s.number === 3) span.statusCode = Number(varintOf(s) & 0xffn);
        }
        break;
      default: break;
    }
  }
  span.attributes = keyValues(bytes, 9);
  return span;
}

/** Decodes a protobuf ExportTraceServiceRequest. */
export function decodeProtobufTraces(body: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.number !== 1) continue;
    const rsBytes = bytesOf(rs);
    let resource: Attribute[] = [];
    for (const f of fields(rsBytes)) if (f.number === 1) resource = keyValues(bytesOf(f), 1);
    for (const ss of fields(rsBytes)) {
      if (ss.number !== 2) continue;
      const ssBytes = bytesOf(ss);
      let scope = '';
      for (const f of fields(ssBytes)) {
        if (f.number === 1) for (const s of fields(bytesOf(f))) if (s.number === 1) scope = stringOf(s);
      }
      for (const f of fields(ssBytes)) {
        if (f.number !== 2) continue;
        if (spans.length >= OTLP_LIMITS.maxSpans) throw new OtlpError(`more than ${OTLP_LIMITS.maxSpans} spans in one request`);
        spans.push(protobufSpan(bytesOf(f), resource, scope));
      }
    }
  }
  return spans;
}

// ---- JSON (OTLP/JSON: camelCase names, hex ids, 64-bit integers as strings or numbers) ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function jsonBigint(value: unknown): bigint {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.max(0, Math.trunc(value)));
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt.asUintN(64, BigInt(value));
  return 0n;
}

function jsonId(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (/^[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
  // Some senders use protobuf's JSON mapping (base64) instead of OTLP's hex.
  return Buffer.from(value, 'base64').toString('hex');
}

function jsonAnyValue(value: unknown, depth: number): AttributeValue {
  if (depth > OTLP_LIMITS.maxDepth) throw new OtlpError(`attribute values nested deeper than ${OTLP_LIMITS.maxDepth}`);
  if (!isRecord(value)) return '';
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (isRecord(value.arrayValue)) return list(value.arrayValue.values).slice(0, OTLP_LIMITS.maxAttributes).map((v) => jsonAnyValue(v, depth + 1));
  if (isRecord(value.kvlistValue)) return Object.fromEntries(jsonAttributes(value.kvlistValue.values, depth + 1).map((a) => [a.key, a.value]));
  if (typeof value.bytesValue === 'string') return value.bytesValue;
  return '';
}

function jsonAttributes(value: unknown, depth = 0): Attribute[] {
  return list(value)
    .filter(isRecord)
    .slice(0, OTLP_LIMITS.maxAttributes)
    .map((kv) => ({ key: typeof kv.key === 'string' ? kv.key : '', value: jsonAnyValue(kv.value, depth) }));
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest. */
export function decodeJsonTraces(body: Buffer): DecodedSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new OtlpError(`the body is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new OtlpError('the body is not an ExportTraceServiceRequest object');
  const spans: DecodedSpan[] = [];
  for (const rs of list(parsed.resourceSpans).filter(isRecord)) {
    const resource = isRecord(rs.resource) ? jsonAttributes(rs.resource.attributes) : [];
    for (const ss of list(rs.scopeSpans).filter(isRecord)) {
      const scope = isRecord(ss.scope) && typeof ss.scope.name === 'string' ? ss.scope.name : '';
      for (const s of list(ss.spans).filter(isRecord)) {
        if (spans.length >= OTLP_LIMITS.maxSpans) throw new OtlpError(`more than ${OTLP_LIMITS.maxSpans} spans in one request`);
        const status = isRecord(s.status) ? s.status : {};
        spans.push({
          traceId: jsonId(s.traceId),
          spanId: jsonId(s.spanId),
          parentSpanId: jsonId(s.parentSpanId),
          name: typeof s.name === 'string' ? s.name : '',
          kind: typeof s.kind === 'number' ? s.kind : 0,
          startTimeUnixNano: jsonBigint(s.startTimeUnixNano),
          endTimeUnixNano: jsonBigint(s.endTimeUnixNano),
          attributes: jsonAttributes(s.attributes),
          events: list(s.events)
            .filter(isRecord)
            .slice(0, OTLP_LIMITS.maxAttributes)
            .map((e) => ({ timeUnixNano: jsonBigint(e.timeUnixNano), name: typeof e.name === 'string' ? e.name : '', attributes: jsonAttributes(e.attributes) })),
          statusCode: typeof status.code === 'number' ? status.code : 0,
          statusMessage: typeof status.message === 'string' ? status.message : '',
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}
