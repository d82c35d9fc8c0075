// metav1.LabelSelector matching (source/cluster/label-selector.ts), shared by
// the cluster's controllers, its validation and the gateway's translation.
import test from 'ava';
import fc from 'fast-check';
import { selectorMatches } from '../../../source/cluster/label-selector.js';

const labels = { app: 'web', tier: 'front' };

test('matchLabels and every operator, as Kubernetes matches them', (t) => {
  const cases: Array<[string, unknown, Record<string, string> | undefined, boolean]> = [
    ['empty selector matches everything', {}, labels, true],
    ['absent selector matches everything', undefined, labels, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, labels, true],
    ['matchLabels differ', { matchLabels: { app: 'api' } }, labels, false],
    ['matchLabels on no labels', { matchLabels: { app: 'web' } }, undefined, false],
    ['In, value listed', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }] }, labels, true],
    ['In, value not listed', { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }, labels, false],
    ['In, key absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, labels, false],
    ['NotIn, value listed', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels, false],
    ['NotIn, key absent', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels, true],
    ['Exists, absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels, true],
    ['DoesNotExist, present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels, false],
    ['both parts must hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels, false],
    ['an unknown operator selects nothing', { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, labels, false],
    ['a label named like an Object property is not present', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, labels, false],
  ];
  for (const [name, selector, have, want] of cases) t.is(selectorMatches(selector, have), want, name);
});

test('never throws, whatever the selector and labels hold (property)', (t) => {
  fc.assert(
    fc.property(fc.anything(), fc.anything(), (selector, have) => {
      const result = selectorMatches(selector, have);
      return result === true || result === false;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
