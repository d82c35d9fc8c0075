// Pieces of translation that deserve their own checks beyond the golden cases:
// the RFC 7638 thumbprint (against jose), hostname intersection, durations,
// and that no snapshot, however malformed, makes translate throw.
import test from 'ava';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, exportJWK, importSPKI } from 'jose';
import { emptyTranslateInput, translate, type TranslateInput } from '../../../gateway/translate/index.js';
import { parseDuration } from '../../../gateway/translate/route-filters.js';
import { intersectHostnames } from '../../../gateway/translate/hostname-rules.js';
import { pemToJwk } from '../../../gateway/translate/jwt-policies.js';
import { readCaseInput } from './golden-io.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const options = { controllerName: 'agw-workshop.dev/gateway-controller', now: '2026-02-01T00:00:00Z' };

test("a PEM key's kid is the RFC 7638 SHA-256 thumbprint jose computes", async (t) => {
  const pem = fs.readFileSync(path.join(testdata, 'certs', 'jwt-lab-public.pem'), 'utf8');
  const ours = pemToJwk(pem);
  const joseJwk = await exportJWK(await importSPKI(pem, 'RS256'));
  t.is(ours.kid, await calculateJwkThumbprint(joseJwk, 'sha256'));
  t.is(ours.n, joseJwk.n);
  t.is(ours.e, joseJwk.e);
});

test('hostname intersection follows the Gateway API rules', (t) => {
  t.deepEqual(intersectHostnames(undefined, []), []);
  t.deepEqual(intersectHostnames('a.example.com', []), ['a.example.com']);
  t.deepEqual(intersectHostnames(undefined, ['x.example.com']), ['x.example.com']);
  t.deepEqual(intersectHostnames('*.example.com', ['a.example.com', 'a.b.example.com', 'example.com']), ['a.example.com', 'a.b.example.com']);
  t.deepEqual(intersectHostnames('a.example.com', ['*.example.com']), ['a.example.com']);
  t.deepEqual(intersectHostnames('*.example.com', ['*.b.example.com']), ['*.b.example.com']);
  t.deepEqual(intersectHostnames('*.b.example.com', ['*.example.com']), ['*.b.example.com']);
  t.is(intersectHostnames('a.example.com', ['b.example.com']), undefined);
  t.is(intersectHostnames('*.example.com', ['example.com']), undefined);
});

test('Gateway API durations parse, and malformed ones are refused', (t) => {
  t.is(parseDuration('120s'), 120_000);
  t.is(parseDuration('1h30m'), 5_400_000);
  t.is(parseDuration('2s500ms'), 2500);
  t.is(parseDuration('0s'), 0);
  t.is(parseDuration('10'), undefined);
  t.is(parseDuration('1.5s'), undefined);
  t.is(parseDuration(120), undefined);
});

test('the IR version changes with content and only with content', (t) => {
  const input = readCaseInput(path.join(testdata, 'sni-lab.in.yaml'));
  const before = translate(input, options).gateways[0]!.version;
  t.is(translate(input, { ...options, now: '2030-01-01T00:00:00Z' }).gateways[0]!.version, before);
  const slice = input.endpointSlices[0] as any;
  slice.endpoints[0].addresses = ['127.16.1.99'];
  t.not(translate(input, options).gateways[0]!.version, before);
});

// Anything JSON can hold, in any field of any object.
const junk = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('HTTPS', 'TLS', 'HTTP', 'Terminate', 'Passthrough', 'Secret', 'Service', 'agentgateway', '*.a.com', 'a.com', 'ns', 'gw'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('name', 'namespace', 'port', 'protocol', 'hostname', 'tls', 'listeners', 'rules', 'matches', 'path', 'backendRefs', 'kind', 'group', 'parentRefs', 'certificateRefs', 'spec', 'metadata', 'validation', 'ai', 'provider', 'filters', 'type'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

test('translate never throws, whatever the objects hold', (t) => {
  const base = readCaseInput(path.join(testdata, 'sni-lab.in.yaml'));
  const fields = Object.keys(emptyTranslateInput()) as (keyof TranslateInput)[];
  fc.assert(
    fc.property(fc.constantFrom(...fields), fc.nat({ max: 3 }), fc.constantFrom('spec', 'metadata', 'data', 'status', 'endpoints', 'ports', 'apiVersion', 'type', 'stringData'), junk, (field, position, key, value) => {
      const input = structuredClone(base);
      const list = (input[field] ??= []) as any[];
      const target = list[position % Math.max(1, list.length)] ?? {};
      if (list.length === 0) list.push(target);
      target[key] = value;
      if (key === 'spec' && field === 'gateways') target.spec = { gatewayClassName: 'enterprise-agentgateway', listeners: [value] };
      const result = translate(input, options);
      return Array.isArray(result.gateways) && Array.isArray(result.statuses);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

/** Every path to a value inside an object (for replacing one deep field). */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

test('translate never throws when any deep field of a real case holds junk', (t) => {
  const cases = ['sni-lab', 'backend-tls-policy', 'jwt-policies', 'filters', 'frontend-validation', 'ai-backends', 'tls-passthrough'];
  const bases = cases.map((name) => readCaseInput(path.join(testdata, `${name}.in.yaml`)));
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.nat(), junk, (caseIndex, objectIndex, pathIndex, value) => {
      const input = structuredClone(bases[caseIndex % bases.length]!);
      const objects = Object.values(input).flat() as any[];
      const object = objects[objectIndex % objects.length];
      const paths = pathsOf(object).filter((p) => p.length > 0);
      const target = paths[pathIndex % paths.length]!;
      let holder = object;
      for (const key of target.slice(0, -1)) holder = holder[key];
      holder[target[target.length - 1]!] = value;
      const result = translate(input, options);
      return Array.isArray(result.gateways) && Array.isArray(result.statuses);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
