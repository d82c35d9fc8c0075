// The protobuf decoder against bodies built here with the field numbers of
// k8s.io/api's generated.proto (written out independently of the decoder's
// tables), round trips of random objects, and random bytes.
import test from 'ava';
import fc from 'fast-check';
import { decodeProtobufObject } from '../../../source/cluster/embedded/protobuf/index.js';
import { isApiError } from '../../../source/cluster/embedded/apiserver/api-error.js';

// --- a small protobuf encoder -----------------------------------------------------

function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, payload: Buffer | string) => {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([tag(field, 2), varint(data.length), data]);
};
const intField = (field: number, value: number | boolean) => Buffer.concat([tag(field, 0), varint(typeof value === 'boolean' ? Number(value) : value)]);
const mapEntries = (field: number, map: Record<string, string | Buffer>) =>
  Buffer.concat(Object.entries(map).map(([k, v]) => bytesField(field, Buffer.concat([bytesField(1, k), bytesField(2, v)]))));

interface Meta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
function objectMeta(meta: Meta): Buffer {
  return Buffer.concat([
    meta.name !== undefined ? bytesField(1, meta.name) : Buffer.alloc(0),
    meta.generateName !== undefined ? bytesField(2, meta.generateName) : Buffer.alloc(0),
    meta.namespace !== undefined ? bytesField(3, meta.namespace) : Buffer.alloc(0),
    mapEntries(11, meta.labels ?? {}),
    mapEntries(12, meta.annotations ?? {}),
  ]);
}

function envelope(apiVersion: string, kind: string, raw: Buffer, contentEncoding = ''): Buffer {
  const typeMeta = Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)]);
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    bytesField(1, typeMeta),
    bytesField(2, raw),
    bytesField(3, contentEncoding),
    bytesField(4, ''),
  ]);
}

interface SecretInput { meta: Meta; data: Record<string, Buffer>; stringData: Record<string, string>; type: string; immutable?: boolean }
function secretBody(s: SecretInput): Buffer {
  return envelope(
    'v1',
    'Secret',
    Buffer.concat([
      bytesField(1, objectMeta(s.meta)),
      mapEntries(2, s.data),
      bytesField(3, s.type),
      mapEntries(4, s.stringData),
      s.immutable !== undefined ? intField(5, s.immutable) : Buffer.alloc(0),
    ]),
  );
}

interface ConfigMapInput { meta: Meta; data: Record<string, string>; binaryData: Record<string, Buffer>; immutable?: boolean }
function configMapBody(c: ConfigMapInput): Buffer {
  return envelope(
    'v1',
    'ConfigMap',
    Buffer.concat([
      bytesField(1, objectMeta(c.meta)),
      mapEntries(2, c.data),
      mapEntries(3, c.binaryData),
      c.immutable !== undefined ? intField(4, c.immutable) : Buffer.alloc(0),
    ]),
  );
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!isApiError(error)) throw error;
    return error.code;
  }
}

// --- tables ---------------------------------------------------------------------

test('kubectl create secret tls: metadata, data bytes as base64, type', (t) => {
  const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const key = Buffer.from([0, 1, 2, 250, 251, 255]);
  const object = decodeProtobufObject(
    secretBody({ meta: { name: 'foo', namespace: 'agentgateway-system' }, data: { 'tls.crt': cert, 'tls.key': key }, stringData: {}, type: 'kubernetes.io/tls' }),
  );
  t.deepEqual(object, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'foo', namespace: 'agentgateway-system' },
    data: { 'tls.crt': cert.toString('base64'), 'tls.key': key.toString('base64') },
    type: 'kubernetes.io/tls',
  });
});

test('secret generic with stringData, labels, annotations, generateName and immutable', (t) => {
  const object = decodeProtobufObject(
    secretBody({
      meta: { generateName: 'openai-', namespace: 'gloo-system', labels: { app: 'x' }, annotations: { 'a.b/c': 'd' } },
      data: {},
      stringData: { Authorization: 'Bearer sk-1' },
      type: 'Opaque',
      immutable: true,
    }),
  );
  t.deepEqual(object.metadata, { generateName: 'openai-', namespace: 'gloo-system', labels: { app: 'x' }, annotations: { 'a.b/c': 'd' } });
  t.deepEqual(object.stringData, { Authorization: 'Bearer sk-1' });
  t.is(object.immutable, true);
});

test('configmap: data, binaryData, immutable false is kept (a pointer in Go)', (t) => {
  const object = decodeProtobufObject(configMapBody({ meta: { name: 'ca', namespace: 'n' }, data: { 'ca.crt': 'PEM' }, binaryData: { blob: Buffer.from([9, 8]) }, immutable: false }));
  t.deepEqual(object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca', namespace: 'n' }, data: { 'ca.crt': 'PEM' }, binaryData: { blob: 'CQg=' }, immutable: false });
});

test('namespace: metadata and spec.finalizers', (t) => {
  const raw = Buffer.concat([bytesField(1, objectMeta({ name: 'agentgateway-system' })), bytesField(2, bytesField(1, 'kubernetes')), bytesField(3, Buffer.alloc(0))]);
  const object = decodeProtobufObject(envelope('v1', 'Namespace', raw));
  t.deepEqual(object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agentgateway-system' }, spec: { finalizers: ['kubernetes'] }, status: {} });
});

test('kubectl create deployment: replicas, selector, template with a container and its port', (t) => {
  const container = Buffer.concat([bytesField(1, 'httpbin'), bytesField(2, 'mccutchen/go-httpbin'), bytesField(6, intField(3, 8080)), bytesField(8, Buffer.alloc(0))]);
  const podSpec = bytesField(2, container);
  const template = Buffer.concat([bytesField(1, objectMeta({ labels: { app: 'httpbin' } })), bytesField(2, podSpec)]);
  const spec = Buffer.concat([intField(1, 0), bytesField(2, mapEntries(1, { app: 'httpbin' })), bytesField(3, template), bytesField(4, Buffer.alloc(0))]);
  const raw = Buffer.concat([bytesField(1, objectMeta({ name: 'httpbin', labels: { app: 'httpbin' } })), bytesField(2, spec), bytesField(3, Buffer.alloc(0))]);
  const object = decodeProtobufObject(envelope('apps/v1', 'Deployment', raw));
  t.deepEqual(object.spec, {
    replicas: 0,
    selector: { matchLabels: { app: 'httpbin' } },
    template: { metadata: { labels: { app: 'httpbin' } }, spec: { containers: [{ name: 'httpbin', image: 'mccutchen/go-httpbin', ports: [{ containerPort: 8080 }], resources: {} }] } },
    strategy: {},
  });
});

test('kubectl create service: ports with an int-or-string targetPort, selector, type', (t) => {
  const intOrString = (value: number | string) =>
    typeof value === 'number' ? Buffer.concat([intField(1, 0), intField(2, value)]) : Buffer.concat([intField(1, 1), bytesField(3, value)]);
  const port = (name: string, number: number, target: number | string) =>
    Buffer.concat([bytesField(1, name), bytesField(2, 'TCP'), intField(3, number), bytesField(4, intOrString(target))]);
  const spec = Buffer.concat([bytesField(1, port('http', 80, 8080)), bytesField(1, port('https', 443, 'https')), mapEntries(2, { app: 'web' }), bytesField(4, 'LoadBalancer')]);
  const object = decodeProtobufObject(envelope('v1', 'Service', Buffer.concat([bytesField(1, objectMeta({ name: 'web' })), bytesField(2, spec)])));
  t.deepEqual(object.spec, {
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
    ],
    selector: { app: 'web' },
    type: 'LoadBalancer',
  });
});

test('unknown fields inside a message are skipped, as protobuf requires', (t) => {
  const raw = Buffer.concat([bytesField(1, objectMeta({ name: 'x' })), bytesField(99, 'future'), intField(98, 7), bytesField(3, 'Opaque')]);
  t.deepEqual(decodeProtobufObject(envelope('v1', 'Secret', raw)), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, type: 'Opaque' });
});

test('a kind the decoder does not know is 415 and names the kind', (t) => {
  const error = t.throws(() => decodeProtobufObject(envelope('batch/v1', 'CronJob', Buffer.alloc(0))));
  t.is((error as any).code, 415);
  t.regex(error!.message, /CronJob/);
});

test('an encoded (gzip) raw is 415; bytes without the k8s prefix, truncated or mistyped fields are 400', (t) => {
  t.is(codeOf(() => decodeProtobufObject(envelope('v1', 'Secret', Buffer.alloc(0), 'gzip'))), 415);
  t.is(codeOf(() => decodeProtobufObject(Buffer.from('{"kind":"Secret"}'))), 400);
  t.is(codeOf(() => decodeProtobufObject(Buffer.alloc(0))), 400);
  const good = secretBody({ meta: { name: 'x' }, data: {}, stringData: {}, type: 'Opaque' });
  t.is(codeOf(() => decodeProtobufObject(good.subarray(0, good.length - 3))), 400);
  t.is(codeOf(() => decodeProtobufObject(envelope('v1', 'Secret', intField(1, 5)))), 400, 'metadata as a varint');
  t.is(codeOf(() => decodeProtobufObject(envelope('v1', 'Secret', bytesField(1, bytesField(1, Buffer.from([0xff, 0xfe])))))), 400, 'a name that is not UTF-8');
  t.is(codeOf(() => decodeProtobufObject(envelope('v1', '', Buffer.alloc(0)))), 400, 'no kind');
  const hugeLength = Buffer.concat([Buffer.from('k8s\0', 'latin1'), tag(2, 2), varint(2n ** 62n)]);
  t.is(codeOf(() => decodeProtobufObject(hugeLength)), 400, 'a length far past the end');
});

// --- properties -------------------------------------------------------------------

const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const text = fc.string({ maxLength: 40, unit: 'grapheme' });
const meta = fc.record({ name: dnsName, namespace: dnsName, labels: fc.dictionary(dnsName, text, { maxKeys: 4 }), annotations: fc.dictionary(dnsName, text, { maxKeys: 4 }) });
const binary = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));

function expectedMeta(m: Meta): Meta {
  const out: Meta = { name: m.name, namespace: m.namespace };
  if (m.labels && Object.keys(m.labels).length > 0) out.labels = m.labels;
  if (m.annotations && Object.keys(m.annotations).length > 0) out.annotations = m.annotations;
  return out;
}

test('secrets round-trip: encode → decode gives the same object', (t) => {
  fc.assert(
    fc.property(meta, fc.dictionary(dnsName, binary, { maxKeys: 4 }), fc.dictionary(dnsName, text, { maxKeys: 3 }), fc.constantFrom('Opaque', 'kubernetes.io/tls'), (m, data, stringData, type) => {
      const object = decodeProtobufObject(secretBody({ meta: m, data, stringData, type }));
      const expected: Record<string, unknown> = { apiVersion: 'v1', kind: 'Secret', metadata: expectedMeta(m), type };
      if (Object.keys(data).length > 0) expected.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')]));
      if (Object.keys(stringData).length > 0) expected.stringData = stringData;
      t.deepEqual(object, expected);
    }),
    { numRuns: 300 },
  );
});

test('configmaps round-trip: encode → decode gives the same object', (t) => {
  fc.assert(
    fc.property(meta, fc.dictionary(dnsName, text, { maxKeys: 4 }), fc.dictionary(dnsName, binary, { maxKeys: 3 }), fc.boolean(), (m, data, binaryData, immutable) => {
      const object = decodeProtobufObject(configMapBody({ meta: m, data, binaryData, immutable }));
      const expected: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap', metadata: expectedMeta(m), immutable };
      if (Object.keys(data).length > 0) expected.data = data;
      if (Object.keys(binaryData).length > 0) expected.binaryData = Object.fromEntries(Object.entries(binaryData).map(([k, v]) => [k, v.toString('base64')]));
      t.deepEqual(object, expected);
    }),
    { numRuns: 300 },
  );
});

function only4xx(body: Buffer): boolean {
  try {
    const object = decodeProtobufObject(body);
    return typeof object.metadata === 'object';
  } catch (error) {
    if (!isApiError(error)) throw error;
    if (error.code < 400 || error.code > 499) throw new Error(`expected 4xx, got ${error.code}`);
    return true;
  }
}

test('random bytes never throw anything but a 4xx ApiError', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => only4xx(Buffer.from(bytes))), { numRuns: 3000 });
  t.pass();
});

test('random bytes after the prefix and inside a valid envelope never throw anything but a 4xx ApiError', (t) => {
  const prefix = Buffer.from('k8s\0', 'latin1');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('Secret', 'ConfigMap', 'Namespace', 'ServiceAccount', 'Service'), (bytes, kind) =>
      only4xx(Buffer.concat([prefix, Buffer.from(bytes)])) && only4xx(envelope('v1', kind, Buffer.from(bytes))),
    ),
    { numRuns: 3000 },
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => only4xx(envelope('apps/v1', 'Deployment', Buffer.from(bytes)))), { numRuns: 2000 });
  t.pass();
});

test('mutated valid bodies (bit flips) never throw anything but a 4xx ApiError', (t) => {
  const body = secretBody({ meta: { name: 'foo', namespace: 'n', labels: { a: 'b' } }, data: { 'tls.crt': Buffer.from('crt'), 'tls.key': Buffer.from('key') }, stringData: {}, type: 'kubernetes.io/tls' });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: body.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
      const copy = Buffer.from(body);
      for (const [at, byte] of flips) copy[at] = byte;
      return only4xx(copy);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
