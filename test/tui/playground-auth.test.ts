// The playground's Authorization field: shown only for lessons whose probes
// send one, edited like the other fields, sent to the runner as an edit
// whose lesson variables (${TOKEN_BOB}) the runner fills.
import test from 'ava';
import { initialPlayground, playgroundReducer, shownFields } from '../../source/tui/playground/playground-state.js';
import { editedFields, probeEdits, requestFromFields } from '../../source/tui/playground/request-fields.js';
import { applyEdits } from '../../source/probe/request-edits.js';
import type { ProbeRequest } from '../../source/probe/types.js';

const withToken: ProbeRequest = { url: 'http://${GATEWAY_IP}:8080/openai', method: 'POST', headers: [['content-type', 'application/json'], ['authorization', 'Bearer ${TOKEN_EXPIRED}']] };
const without: ProbeRequest = { url: 'https://mock-openai-foo.glootest.com/', resolve: ['mock-openai-foo.glootest.com:443:${GATEWAY_IP}'] };

test('the Authorization field is shown for a request with a token (or when the lesson asks), not otherwise', (t) => {
  t.true(shownFields(initialPlayground(withToken)).some((f) => f.name === 'auth'));
  t.false(shownFields(initialPlayground(without)).some((f) => f.name === 'auth'));
  t.true(shownFields(initialPlayground(without, undefined, { authorization: true })).some((f) => f.name === 'auth'));
  let state = initialPlayground(without);
  for (let i = 0; i < state.shown.length; i++) state = playgroundReducer(state, { type: 'focus', delta: 1 });
  t.is(state.focus, 0, 'focus cycles over the shown fields only');
});

test('editing it swaps the token: the request shown and the override sent to the runner', (t) => {
  let state = initialPlayground(withToken);
  t.is(state.fields.auth, 'Bearer ${TOKEN_EXPIRED}');
  state = playgroundReducer(state, { type: 'focus', delta: state.shown.indexOf('auth') });
  state = playgroundReducer(playgroundReducer(state, { type: 'edit' }), { type: 'commit', value: 'Bearer ${TOKEN_BOB}' });
  const edits = editedFields(state.base, state.fields);
  t.deepEqual(edits, { auth: 'Bearer ${TOKEN_BOB}' });
  t.deepEqual(requestFromFields(state.base, state.fields).headers, [['content-type', 'application/json'], ['authorization', 'Bearer ${TOKEN_BOB}']]);
  t.deepEqual(probeEdits(edits), { authorization: 'Bearer ${TOKEN_BOB}' });
  t.deepEqual(probeEdits({ auth: '' }), { authorization: null }, 'a cleared field sends no Authorization header');
  let request: ProbeRequest = structuredClone(withToken);
  request = applyEdits(request, { authorization: 'Bearer abc' });
  t.deepEqual(request.headers, [['content-type', 'application/json'], ['authorization', 'Bearer abc']]);
  request = applyEdits(request, { authorization: null });
  t.deepEqual(request.headers, [['content-type', 'application/json']]);
});
