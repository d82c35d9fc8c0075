// Request bodies in Kubernetes protobuf (Content-Type
// application/vnd.kubernetes.protobuf), as `kubectl create secret|configmap|
// namespace|serviceaccount|deployment|service` sends them: the 4 bytes
// `k8s\0`, then a runtime.Unknown { 1: typeMeta {1: apiVersion, 2: kind},
// 2: raw (the object message), 3: contentEncoding, 4: contentType }.
import { ApiError } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { decodeMessage } from './decode.js';
import { messagesByKind } from './messages.js';
import { ProtobufError, Reader } from './wire.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** Kinds this decoder understands, as `apiVersion kind`. */
export const decodableKinds = Object.keys(messagesByKind);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

function readEnvelope(body: Buffer): Envelope {
  const envelope: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '', contentType: '' };
  const text = (bytes: Buffer | undefined) => (bytes ?? Buffer.alloc(0)).toString('utf8');
  for (const field of Reader.fields(body.subarray(MAGIC.length))) {
    if (field.wireType !== 2) throw new ProtobufError(`runtime.Unknown field ${field.number} has wire type ${field.wireType}`);
    if (field.number === 1) {
      for (const meta of Reader.fields(field.bytes as Buffer)) {
        if (meta.wireType !== 2) continue;
        if (meta.number === 1) envelope.apiVersion = text(meta.bytes);
        else if (meta.number === 2) envelope.kind = text(meta.bytes);
      }
    } else if (field.number === 2) envelope.raw = field.bytes as Buffer;
    else if (field.number === 3) envelope.contentEncoding = text(field.bytes);
    else if (field.number === 4) envelope.contentType = text(field.bytes);
  }
  return envelope;
}

/**
 * Decodes a protobuf request body into the JSON object it stands for.
 * Throws ApiError: 400 for malformed bytes, 415 for a kind (or an encoding)
 * this server cannot decode from protobuf.
 */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (!Buffer.isBuffer(body)) body = Buffer.from(body as Uint8Array);
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw ApiError.badRequest('the protobuf body does not start with the Kubernetes envelope prefix "k8s\\x00"');
  }
  let envelope: Envelope;
  try {
    envelope = readEnvelope(body);
  } catch (error) {
    throw ApiError.badRequest(`malformed protobuf envelope: ${(error as Error).message}`);
  }
  if (envelope.contentEncoding !== '') {
    throw new ApiError(415, 'UnsupportedMediaType', `protobuf content encoding ${JSON.stringify(envelope.contentEncoding)} is not supported`);
  }
  if (!envelope.kind) throw ApiError.badRequest('the protobuf envelope names no kind (typeMeta.kind is empty)');
  const descriptor = messagesByKind[`${envelope.apiVersion} ${envelope.kind}`];
  if (!descriptor) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `this server cannot decode ${envelope.kind} (${envelope.apiVersion || 'no apiVersion'}) from protobuf; send it as JSON (Content-Type: application/json). Protobuf is accepted for: ${decodableKinds.join(', ')}`,
    );
  }
  let fields: Record<string, unknown>;
  try {
    fields = decodeMessage(envelope.raw, descriptor);
  } catch (error) {
    if (error instanceof ProtobufError) throw ApiError.badRequest(`malformed protobuf ${envelope.kind}: ${error.message}`);
    throw error;
  }
  const metadata = (fields.metadata as KubeObject['metadata'] | undefined) ?? ({} as KubeObject['metadata']);
  return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...fields, metadata } as KubeObject;
}
