// Issue 17 items 6, 7 and 8 against the Gateway API conformance suite's own
// manifests (applied unchanged with real kubectl), requests with real curl:
// HTTPRouteCORS (GEP-1767), HTTPRouteRequestMirror and
// HTTPRouteRequestMultipleMirrors (the mirrored request found in the mirror
// backends' logs, as the suite's ExpectMirroredRequest does),
// HTTPRouteRequestHeaderModifierBackendWeights, HTTPRouteBackendRequestRedirect
// and HTTPRouteBackendURLRewrite (filters on a backendRef). One at a time, each
// file deleted afterwards, as the suite runs them: two of these files route
// the same paths on the same Gateway.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { conditionProblem, eventuallyConsistent, INFRA, parentConditions, startSuite, type HttpAnswer, type Suite } from './harness.js';

let suite: Suite;
let target: { ip: string; port: number };

test.before(async () => {
  suite = await startSuite();
  await suite.namespacesReady([INFRA]);
  target = await suite.gatewayAddress('same-namespace', 80);
});
test.afterEach.always(async () => {
  await suite.removeApplied();
});
test.after.always(async () => {
  await suite?.stop();
});

async function routesAccepted(...routes: string[]): Promise<void> {
  for (const route of routes) {
    await suite.until('httproute', INFRA, route, (r) => conditionProblem(parentConditions(r, 'same-namespace'), 'Accepted', 'True') ?? conditionProblem(parentConditions(r, 'same-namespace'), 'ResolvedRefs', 'True'));
  }
}

const header = (a: HttpAnswer, name: string) => a.headers[name]?.join(',');
const noSpaces = (text: string | undefined) => (text ?? '').replace(/ /g, '');

test.serial('HTTPRouteCORS: preflights answered per the filter (exact and wildcard origins, refused origin), simple requests carry the headers', async (t) => {
  await suite.apply('tests/httproute-cors.yaml');
  await routesAccepted('cors-multiple-origins-methods-headers', 'cors-wildcard-methods', 'cors-wildcard-origin', 'cors-wildcard-methods-headers');
  const preflight = (origin: string, extra: Record<string, string> = { 'access-control-request-headers': 'x-header-1, x-header-2' }) =>
    suite.curl(target, { path: '/cors-1', method: 'OPTIONS', headers: { Origin: origin, 'access-control-request-method': 'GET', ...extra } });
  for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com']) {
    const answer = await eventuallyConsistent(() => preflight(origin), (a) => ([200, 204].includes(a.status) && header(a, 'access-control-allow-origin') === origin ? undefined : `${origin}: ${a.status} allow-origin ${header(a, 'access-control-allow-origin')}`));
    t.true(['GET,OPTIONS', 'OPTIONS,GET'].includes(noSpaces(header(answer, 'access-control-allow-methods'))), origin);
    t.true(['x-header-1,x-header-2', 'x-header-2,x-header-1'].includes(noSpaces(header(answer, 'access-control-allow-headers'))), origin);
    t.true(['x-header-3,x-header-4', 'x-header-4,x-header-3'].includes(noSpaces(header(answer, 'access-control-expose-headers'))), origin);
    t.is(header(answer, 'access-control-max-age'), '3600');
    t.is(header(answer, 'access-control-allow-credentials'), 'true');
  }
  const refused = await preflight('https://foobar.com', {});
  t.true([200, 204, 403].includes(refused.status), `status ${refused.status}`);
  t.falsy(header(refused, 'access-control-allow-origin'));
  const simple = await suite.curl(target, { path: '/cors-1', headers: { Origin: 'https://www.foo.com' } });
  t.is(simple.status, 200);
  t.is(simple.echo?.namespace, INFRA);
  t.is(header(simple, 'access-control-allow-origin'), 'https://www.foo.com');
  const simpleRefused = await suite.curl(target, { path: '/cors-1', headers: { Origin: 'https://foobar.com' } });
  t.is(simpleRefused.status, 200);
  t.falsy(header(simpleRefused, 'access-control-allow-origin'));
});

/** ExpectMirroredRequest: each mirror backend's pods logged the request's path (with its request id). */
async function mirroredTo(backends: string[], path: string): Promise<string | undefined> {
  let missing: string[] = backends;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const found: string[] = [];
    for (const backend of backends) {
      const logs = await suite.kubectl(['logs', '-n', INFRA, '-l', `app=${backend}`, '--tail=-1', '--prefix']);
      if (logs.includes(`Echoing back request made to ${path}`)) found.push(backend);
    }
    missing = backends.filter((b) => !found.includes(b));
    if (!missing.length) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return `not seen by ${missing.join(', ')}`;
}

for (const [name, file, route, paths, mirrors] of [
  ['HTTPRouteRequestMirror', 'tests/httproute-request-mirror.yaml', 'request-mirror', ['/mirror', '/mirror-and-modify-headers'], ['infra-backend-v2']],
  ['HTTPRouteRequestMultipleMirrors', 'tests/httproute-request-multiple-mirrors.yaml', 'request-multiple-mirrors', ['/multi-mirror', '/multi-mirror-and-modify-request-headers'], ['infra-backend-v2', 'infra-backend-v3']],
] as const) {
  test.serial(`${name}: the request reaches infra-backend-v1 and is mirrored to ${mirrors.join(' and ')}, header changes included`, async (t) => {
    await suite.apply(file);
    await routesAccepted(route);
    for (const base of paths) {
      const modify = base.includes('modify');
      const path = `${base}?gateway-api-conformance-request-id=${randomUUID()}`;
      const answer = await eventuallyConsistent(
        () => suite.curl(target, { path, headers: modify ? { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' } : {} }),
        (a) => (a.status !== 200 ? `${base}: ${a.status}` : !a.echo?.pod.startsWith('infra-backend-v1') ? `${base}: pod ${a.echo?.pod}` : a.echo.path !== path ? `path ${a.echo.path}` : undefined),
      );
      if (modify) {
        t.deepEqual(answer.echo?.headers['X-Header-Add'], ['header-val-1']);
        t.is(answer.echo?.headers['X-Header-Add-Append']?.join(','), 'append-val-1,header-val-2');
        t.deepEqual(answer.echo?.headers['X-Header-Set'], ['set-overwrites-values']);
        t.is(answer.echo?.headers['X-Header-Remove'], undefined);
      }
      t.is(await mirroredTo([...mirrors], path), undefined, base);
    }
  });
}

test.serial('HTTPRouteRequestHeaderModifierBackendWeights: each backendRef\'s filter applies only when that backend is chosen (100 requests)', async (t) => {
  await suite.apply('tests/httproute-request-header-modifier-backend-weights.yaml');
  await suite.until('httproute', INFRA, 'request-header-modifier-backend-weights', (r) => conditionProblem(parentConditions(r, 'same-namespace'), 'Accepted', 'True') ?? conditionProblem(parentConditions(r, 'same-namespace'), 'ResolvedRefs', 'True'));
  await eventuallyConsistent(() => suite.curl(target, { path: '/' }), (a) => (a.status === 200 && a.echo?.namespace === INFRA && a.echo.headers.Backend ? undefined : `${a.status} ${JSON.stringify(a.echo?.headers.Backend)}`));
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const answer = await suite.curl(target, { path: '/' });
    const backends = answer.echo?.headers.Backend ?? [];
    t.is(backends.length, 1, `request ${i}: one Backend header`);
    t.true(answer.echo?.pod.startsWith(backends[0] ?? '(none)'), `request ${i}: pod ${answer.echo?.pod} for Backend ${backends[0]}`);
    seen.add(backends[0] ?? '');
  }
  t.deepEqual([...seen].sort(), ['infra-backend-v1', 'infra-backend-v2']);
});

test.serial('HTTPRouteBackendRequestRedirect: a redirect on the backendRef answers 302 with the replaced path', async (t) => {
  await suite.apply('tests/httproute-backend-request-redirect.yaml');
  await routesAccepted('backend-request-redirect');
  for (const [path, location] of [['/full/original', '/redirected-full'], ['/prefix/original', '/redirected-prefix/original']] as const) {
    const answer = await eventuallyConsistent(() => suite.curl(target, { path }), (a) => (a.status === 302 && new URL(header(a, 'location') ?? '', 'http://x').pathname === location ? undefined : `${path}: ${a.status} location ${header(a, 'location')}`));
    t.is(new URL(header(answer, 'location')!, 'http://x').pathname, location);
  }
});

test.serial('HTTPRouteBackendURLRewrite: a rewrite on the backendRef changes the path infra-backend-v1 sees', async (t) => {
  await suite.apply('tests/httproute-backend-url-rewrite.yaml');
  await routesAccepted('backend-url-rewrite');
  for (const [path, rewritten] of [['/full/original', '/rewritten-full'], ['/prefix/original', '/rewritten-prefix/original']] as const) {
    const answer = await eventuallyConsistent(() => suite.curl(target, { path }), (a) => (a.status === 200 && a.echo?.path === rewritten && a.echo.pod.startsWith('infra-backend-v1') ? undefined : `${path}: ${a.status} ${a.echo?.path}`));
    t.is(answer.echo?.namespace, INFRA);
  }
});
