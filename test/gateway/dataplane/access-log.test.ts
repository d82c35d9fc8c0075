// Access log lines are bounded (issue 16 item 7): a field a client chooses
// (SNI, Host, path) keeps at most MAX_FIELD_CHARS and says how much was cut.
import test from 'ava';
import fc from 'fast-check';
import { formatAccessLog, MAX_FIELD_CHARS, parseLogfmt } from '../../../gateway/dataplane/access-log.js';

test('a 60 KB SNI costs a few hundred bytes of log, not 120 KB', (t) => {
  const sni = `${'a'.repeat(60_000)}.example`;
  const line = formatAccessLog({ time: '2026-12-02T00:00:00.000Z', port: 443, sni, flags: ['NS'], message: `no listener for SNI ${sni}` });
  t.true(line.length < 4 * MAX_FIELD_CHARS, `line of ${line.length} characters`);
  const fields = parseLogfmt(line);
  t.is(fields.sni, `${'a'.repeat(MAX_FIELD_CHARS)}…(+${sni.length - MAX_FIELD_CHARS} chars)`);
  t.regex(fields.message ?? '', /^no listener for SNI a+…\(\+\d+ chars\)$/);
});

test('any field values give a line bounded by the number of fields, that parses back', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 5000 }), fc.string({ maxLength: 5000 }), (host, path) => {
      const line = formatAccessLog({ time: 't', port: 80, host, path, flags: [] });
      // JSON quoting at most doubles a capped value (6x for control characters as \uXXXX) plus the marker.
      if (line.length > 2 * (6 * MAX_FIELD_CHARS + 40) + 40) return false;
      const fields = parseLogfmt(line);
      return (host.length <= MAX_FIELD_CHARS ? fields.host === host : fields.host?.startsWith(host.slice(0, MAX_FIELD_CHARS)) ?? false) || host === '';
    }),
    { numRuns: 300 },
  );
  t.pass();
});
