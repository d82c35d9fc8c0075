// Status the controller writes: unchanged conditions keep their
// lastTransitionTime, and parents written by other controllers stay.
import test from 'ava';
import { mergeStatus } from '../../../gateway/controller/status-writer.js';

const ours = 'agw-workshop.dev/gateway-controller';
const cond = (type: string, status: string, time: string) => ({ type, status, reason: type, message: '', observedGeneration: 1, lastTransitionTime: time });

test('a condition whose status did not change keeps its lastTransitionTime; a changed one takes the new time', (t) => {
  const current = { conditions: [cond('Accepted', 'True', 'T0'), cond('Programmed', 'False', 'T0')], listeners: [{ name: 'a', conditions: [cond('Programmed', 'True', 'T0')] }] };
  const next = { conditions: [cond('Accepted', 'True', 'T1'), cond('Programmed', 'True', 'T1')], listeners: [{ name: 'a', conditions: [cond('Programmed', 'True', 'T1')] }] };
  const merged = mergeStatus(next, current, ours);
  t.deepEqual(merged.conditions.map((c: any) => c.lastTransitionTime), ['T0', 'T1']);
  t.is(merged.listeners[0].conditions[0].lastTransitionTime, 'T0');
});

test("route parents of other controllers are kept, ours are replaced", (t) => {
  const parentRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name: 'gw' };
  const current = {
    parents: [
      { parentRef: { ...parentRef, name: 'istio-gw' }, controllerName: 'istio.io/gateway-controller', conditions: [cond('Accepted', 'True', 'T0')] },
      { parentRef, controllerName: ours, conditions: [cond('Accepted', 'False', 'T0')] },
    ],
  };
  const next = { parents: [{ parentRef, controllerName: ours, conditions: [cond('Accepted', 'True', 'T1')] }] };
  const merged = mergeStatus(next, current, ours);
  t.is(merged.parents.length, 2);
  t.is(merged.parents[0].controllerName, 'istio.io/gateway-controller');
  t.is(merged.parents[1].conditions[0].status, 'True');
  t.is(merged.parents[1].conditions[0].lastTransitionTime, 'T1');
});
