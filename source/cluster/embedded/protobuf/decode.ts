// Decodes a protobuf message into the JSON object the API would carry,
// driven by the descriptors in messages.ts. Zero values of non-pointer
// fields are dropped, as Go's `omitempty` JSON encoding would drop them.
import { rfc3339 } from '../apiserver/http-util.js';
import { ProtobufError, Reader, WIRE, type Field } from './wire.js';
import type { FieldDescriptor, FieldType, MessageDescriptor, Scalar } from './messages.js';

const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function expectWire(field: Field, wireType: number, descriptor: string): void {
  if (field.wireType !== wireType) throw new ProtobufError(`field ${descriptor} (number ${field.number}) has wire type ${field.wireType}, expected ${wireType}`);
}

function text(bytes: Buffer, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtobufError(`${where} is not valid UTF-8`);
  }
}

function integer(value: bigint, bits: 32 | 64, where: string): number {
  const signed = BigInt.asIntN(64, value);
  if (bits === 32 && (signed > 2147483647n || signed < -2147483648n)) throw new ProtobufError(`${where} is out of the int32 range`);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) throw new ProtobufError(`${where} is too large`);
  return Number(signed);
}

function scalar(field: Field, type: Scalar, where: string): string | number | boolean {
  switch (type) {
    case 'string':
      expectWire(field, WIRE.bytes, where);
      return text(field.bytes as Buffer, where);
    case 'bytes':
      expectWire(field, WIRE.bytes, where);
      return (field.bytes as Buffer).toString('base64');
    case 'int32':
    case 'int64':
      expectWire(field, WIRE.varint, where);
      return integer(field.varint as bigint, type === 'int32' ? 32 : 64, where);
    case 'bool':
      expectWire(field, WIRE.varint, where);
      return field.varint !== 0n;
  }
}

/** meta/v1 Time: { 1: seconds, 2: nanos } → RFC 3339 with seconds; zero is absent. */
function time(bytes: Buffer, where: string): string | undefined {
  let seconds = 0;
  for (const field of Reader.fields(bytes)) {
    if (field.number === 1) seconds = Number(scalar(field, 'int64', where));
  }
  if (seconds === 0) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtobufError(`${where} is not a valid time`);
  return rfc3339(date);
}

function intOrString(bytes: Buffer, where: string): number | string {
  let kind = 0;
  let intValue = 0;
  let stringValue = '';
  for (const field of Reader.fields(bytes)) {
    if (field.number === 1) kind = Number(scalar(field, 'int64', `${where}.type`));
    else if (field.number === 2) intValue = Number(scalar(field, 'int32', `${where}.intVal`));
    else if (field.number === 3) stringValue = String(scalar(field, 'string', `${where}.strVal`));
  }
  return kind === 1 ? stringValue : intValue;
}

function value(field: Field, type: FieldType, where: string, depth: number): unknown {
  if (typeof type === 'string') {
    if (type === 'time') return (expectWire(field, WIRE.bytes, where), time(field.bytes as Buffer, where));
    if (type === 'intOrString') return (expectWire(field, WIRE.bytes, where), intOrString(field.bytes as Buffer, where));
    if (type === 'quantity') return (expectWire(field, WIRE.bytes, where), decodeMessage(field.bytes as Buffer, { name: 'Quantity', fields: { 1: { name: 'string', type: 'string' } } }, depth + 1).string ?? '');
    return scalar(field, type, where);
  }
  expectWire(field, WIRE.bytes, where);
  if ('message' in type) {
    const decoded = decodeMessage(field.bytes as Buffer, type.message, depth + 1);
    // resource.Quantity travels as a message holding its string form.
    return type.message.name === 'Quantity' ? (decoded.string ?? '') : decoded;
  }
  // A map entry: { 1: key, 2: value }.
  let key = '';
  let entryValue: unknown = typeof type.map.value === 'string' && type.map.value !== 'string' && type.map.value !== 'bytes' ? 0 : '';
  for (const entry of Reader.fields(field.bytes as Buffer)) {
    if (entry.number === 1) key = String(scalar(entry, 'string', `${where} key`));
    else if (entry.number === 2) entryValue = value(entry, type.map.value, `${where}[${key}]`, depth + 1);
  }
  return [key, entryValue];
}

function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false;
}

/** Decodes `bytes` as `descriptor`. Throws ProtobufError on malformed input. */
export function decodeMessage(bytes: Buffer, descriptor: MessageDescriptor, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufError(`message nesting deeper than ${MAX_DEPTH}`);
  const out: Record<string, unknown> = {};
  for (const field of Reader.fields(bytes)) {
    const fd: FieldDescriptor | undefined = descriptor.fields[field.number];
    if (!fd) continue; // unknown fields are skipped, as protobuf requires
    const where = `${descriptor.name}.${fd.name}`;
    const decoded = value(field, fd.type, where, depth);
    if (typeof fd.type === 'object' && 'map' in fd.type) {
      const [key, entryValue] = decoded as [string, unknown];
      const map = (out[fd.name] as Record<string, unknown> | undefined) ?? {};
      // Own property even for "__proto__": a map key must never become a prototype.
      Object.defineProperty(map, key, { value: entryValue, enumerable: true, writable: true, configurable: true });
      out[fd.name] = map;
    } else if (fd.repeated) {
      const list = (out[fd.name] as unknown[] | undefined) ?? [];
      list.push(decoded);
      out[fd.name] = list;
    } else if (!isZero(decoded) || (fd.keep && decoded !== undefined)) {
      out[fd.name] = decoded;
    } else {
      delete out[fd.name];
    }
  }
  return out;
}
