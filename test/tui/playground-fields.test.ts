// The playground's fields ↔ the probe request, and the edits the runner gets.
import test from 'ava';
import { editedFields, fieldsFromRequest, probeEdits, requestFromFields } from '../../source/tui/playground/request-fields.js';
import { probeCommand, urlParts } from '../../source/probe/command-line.js';
import { applyErasures } from '../../source/tui/playground/PlaygroundScreen.js';

const lessonRequest = {
  url: 'https://mock-openai-baz.glootest.com/v1/chat/completions',
  resolve: ['mock-openai-baz.glootest.com:443:${GATEWAY_IP}'],
  caFile: '/w/glootest.com.crt',
};

test('variables in lesson URLs survive (no URL parsing that lowercases them)', (t) => {
  t.deepEqual(urlParts('http://${GATEWAY_IP}:8080/v1/x?y=1'), { scheme: 'http', host: '${GATEWAY_IP}:8080', hostname: '${GATEWAY_IP}', path: '/v1/x?y=1' });
  const fields = fieldsFromRequest({ url: 'http://${GATEWAY_IP}:8080/v1/chat/completions' });
  t.is(fields.host, '${GATEWAY_IP}:8080');
  t.is(fields.sni, '', 'plain HTTP sends no SNI');
  t.is(fieldsFromRequest({ url: 'https://${GATEWAY_HOST}/' }).sni, '${GATEWAY_HOST}');
  t.is(fieldsFromRequest({ url: 'https://127.0.0.1/' }).sni, '', 'an IP address is not sent as SNI');
  t.is(requestFromFields({ url: 'http://${GATEWAY_IP}:8080/a' }, { ...fieldsFromRequest({ url: 'http://${GATEWAY_IP}:8080/a' }), path: '/v1/models' }).url, 'http://${GATEWAY_IP}:8080/v1/models');
});

test('untouched fields leave the request as the lesson has it; edits are only what changed', (t) => {
  const fields = fieldsFromRequest(lessonRequest);
  t.deepEqual(requestFromFields(lessonRequest, fields), lessonRequest);
  t.deepEqual(editedFields(lessonRequest, fields), {});
  const changed = { ...fields, sni: 'mock-openai-foo.glootest.com', host: 'mock-openai-bar.glootest.com', alpn: 'h2' };
  const request = requestFromFields(lessonRequest, changed);
  t.is(request.sni, 'mock-openai-foo.glootest.com');
  t.deepEqual(request.headers, [['Host', 'mock-openai-bar.glootest.com']]);
  t.deepEqual(request.alpn, ['h2']);
  t.is(request.httpVersion, '2');
  t.deepEqual(editedFields(lessonRequest, changed), { sni: 'mock-openai-foo.glootest.com', host: 'mock-openai-bar.glootest.com', alpn: 'h2' });
  t.regex(probeCommand(request), /^agw-workshop probe --resolve "mock-openai-baz\.glootest\.com:443:\$\{GATEWAY_IP\}" --sni mock-openai-foo\.glootest\.com --cacert \/w\/glootest\.com\.crt --http2 -H 'Host: mock-openai-bar\.glootest\.com' https:/);
});

test('edited fields become probe edits: empty SNI sends none, empty CA uses the system store, a client cert brings its key', (t) => {
  t.deepEqual(probeEdits({}), {});
  t.deepEqual(probeEdits({ sni: '' }), { sni: null });
  t.deepEqual(probeEdits({ ca: '' }), { cacert: null });
  t.deepEqual(probeEdits({ cert: '/w/client.crt' }), { clientCert: { certFile: '/w/client.crt', keyFile: '/w/client.key' } });
  t.deepEqual(probeEdits({ cert: '/w/c.pem', key: '/w/k.pem' }), { clientCert: { certFile: '/w/c.pem', keyFile: '/w/k.pem' } });
  t.deepEqual(probeEdits({ cert: '' }), { clientCert: null });
  t.deepEqual(probeEdits({ alpn: '' }), { alpn: [] });
  t.deepEqual(probeEdits({ path: 'v1/models', host: 'x.example' }), { path: 'v1/models', host: 'x.example' });
});

test('backspaces that arrived as text are applied, other control characters dropped', (t) => {
  t.is(applyErasures('mock-openai-baz\u007F\u007F\u007Ffoo'), 'mock-openai-foo');
  t.is(applyErasures('\u007Fabc\u0001'), 'abc');
});
