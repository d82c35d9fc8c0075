import test from 'ava';
import { route } from '../../../source/cluster/embedded/apiserver/routing.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../../source/cluster/embedded/apiserver/selectors.js';
import { aggregatedVersionAccepted, compareVersions } from '../../../source/cluster/embedded/apiserver/discovery.js';
import { humanAge } from '../../../source/cluster/embedded/apiserver/tables.js';
import type { KubeObject } from '../../../source/cluster/embedded/store/store-types.js';

test('paths resolve to what they address, including the Namespace special cases', (t) => {
  t.deepEqual(route('/api/v1/namespaces/x'), { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'x', subresource: undefined });
  t.deepEqual(route('/api/v1/namespaces/x/status'), { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'x', subresource: 'status' });
  t.deepEqual(route('/api/v1/namespaces/x/pods'), { type: 'resource', group: '', version: 'v1', plural: 'pods', namespace: 'x', name: undefined, subresource: undefined });
  t.deepEqual(route('/api/v1/namespaces/x/pods/p/log'), { type: 'resource', group: '', version: 'v1', plural: 'pods', namespace: 'x', name: 'p', subresource: 'log' });
  t.deepEqual(route('/apis/gateway.networking.k8s.io/v1/gatewayclasses/gc'), { type: 'resource', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', name: 'gc', subresource: undefined });
  t.deepEqual(route('/apis/apps/v1/namespaces/a/deployments/d/status'), { type: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'a', name: 'd', subresource: 'status' });
  t.deepEqual(route('/apis/apps/v1'), { type: 'group-version', group: 'apps', version: 'v1' });
  t.deepEqual(route('/apis/apps'), { type: 'group', group: 'apps' });
  t.deepEqual(route('/openapi/v3/apis/apps/v1'), { type: 'openapi-doc', group: 'apps', version: 'v1' });
  t.deepEqual(route('/openapi/v3/api/v1'), { type: 'openapi-doc', group: '', version: 'v1' });
  t.is(route('/openapi/v2').type, 'openapi-v2');
  t.is(route('/api/v1/namespaces/x/pods/p/log/extra').type, 'not-found');
  t.is(route('/nothing').type, 'not-found');
  t.is(route('/readyz/ping').type, 'health');
});

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', labels }, ...extra });

test('label selectors: equality, inequality, set-based and existence', (t) => {
  const o = { app: 'web', tier: 'front' };
  t.true(matchesLabels(parseLabelSelector('app=web'), o));
  t.true(matchesLabels(parseLabelSelector('app==web,tier!=back'), o));
  t.true(matchesLabels(parseLabelSelector('app in (web, api),!missing'), o));
  t.false(matchesLabels(parseLabelSelector('app notin (web)'), o));
  t.true(matchesLabels(parseLabelSelector('gateway.networking.k8s.io/gateway-name'), { 'gateway.networking.k8s.io/gateway-name': 'x' }));
  t.false(matchesLabels(parseLabelSelector('tier'), { app: 'web' }));
  const error = t.throws(() => parseLabelSelector('app=(bad'));
  t.regex(error!.message, /label selector/);
});

test('field selectors match metadata and spec paths', (t) => {
  const pod = obj({}, { spec: { nodeName: 'n1' } });
  t.true(matchesFields(parseFieldSelector('metadata.name=p,metadata.namespace=n'), pod));
  t.true(matchesFields(parseFieldSelector('spec.nodeName=n1'), pod));
  t.false(matchesFields(parseFieldSelector('metadata.name!=p'), pod));
  t.throws(() => parseFieldSelector('nonsense'));
});

test('versions sort as Kubernetes prefers them, and aggregated discovery is chosen by Accept', (t) => {
  t.deepEqual(['v1alpha2', 'v1beta1', 'v1', 'v1alpha3', 'v2'].sort(compareVersions), ['v2', 'v1', 'v1beta1', 'v1alpha3', 'v1alpha2']);
  t.is(aggregatedVersionAccepted('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), 'v2');
  t.is(aggregatedVersionAccepted('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList'), 'v2beta1');
  t.is(aggregatedVersionAccepted('application/json'), undefined);
});

test('ages read like kubectl prints them', (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const ago = (s: number) => new Date(now - s * 1000).toISOString();
  t.is(humanAge(ago(5), now), '5s');
  t.is(humanAge(ago(150), now), '2m30s');
  t.is(humanAge(ago(3 * 3600), now), '3h');
  t.is(humanAge(ago(3 * 86400), now), '3d');
});
