// The probe's view of a sent JWT: header and claims decoded, the signature
// only counted. The header value is untrusted input: any text gives a result
// or undefined, never an exception, and never the signature.
import test from 'ava';
import fc from 'fast-check';
import { decodeJwt, describeJwt, sentJwt } from '../../source/probe/jwt-view.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

test('a Bearer JWT is decoded: header, claims with dates, the signature only by size', (t) => {
  const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'solo.io', exp: 0 })}.${b64('x'.repeat(256))}`;
  const jwt = sentJwt({ url: 'http://h/', headers: [['Authorization', `Bearer ${token}`]] })!;
  t.deepEqual(jwt.header, { alg: 'RS256', typ: 'JWT' });
  t.is(jwt.signatureBytes, 256);
  const shown = describeJwt(jwt);
  t.is(shown.claims, '{"iss":"solo.io","exp":"0 (1970-01-01T00:00:00.000Z)"}');
  t.is(shown.signature, '256 bytes (not shown)');
});

test('alg none has no signature; a header that is not JSON is named, not thrown', (t) => {
  t.is(describeJwt(decodeJwt(`${b64({ alg: 'none' })}.${b64({})}.`)!).signature, 'none');
  t.is(decodeJwt(`${b64('nope')}.${b64({})}.sig`)!.problem, 'the header is not JSON');
  t.is(sentJwt({ url: 'http://h/', headers: [['authorization', 'Basic abc']] }), undefined);
  t.is(decodeJwt('only.two'), undefined);
});

test('any Authorization value: no exception, and the signature part never shows', (t) => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (header, claims, signature) => {
      const token = `${header}.${claims}.${signature.replace(/\./g, '')}`;
      const jwt = sentJwt({ url: 'http://h/', headers: [['authorization', `Bearer ${token}`]] });
      if (!jwt) return true;
      const shown = describeJwt(jwt);
      return !`${shown.header}${shown.claims}${shown.signature}`.includes(`.${signature.replace(/\./g, '')}`);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.object(), fc.object(), fc.uint8Array({ minLength: 1, maxLength: 64 }), (header, claims, sig) => {
      const signature = Buffer.from(sig).toString('base64url');
      const jwt = decodeJwt(`${b64(header)}.${b64(claims)}.${signature}`)!;
      const shown = describeJwt(jwt);
      return jwt.signatureBytes === sig.length && (signature.length < 8 || !JSON.stringify(shown).includes(signature));
    }),
    { numRuns: 300 },
  );
  t.pass();
});
