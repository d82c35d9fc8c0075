// The coredns workload's DNS message parser sees bytes from anyone who can
// reach the pod: properties over random and mutated messages (it fails only
// with DnsFormatError, bounded), and exact answers for known queries.
import test from 'ava';
import fc from 'fast-check';
import { DNS_TYPE, DnsFormatError, encodeQuery, encodeResponse, labelsOf, lookupKey, parseQuery, RCODE } from '../../source/workloads/coredns/message.js';
import { answerQuery, zoneTable } from '../../source/workloads/coredns/records.js';
import { respond } from '../../source/workloads/coredns/server.js';

const table = zoneTable(
  [
    { metadata: { name: 'web', namespace: 'lab' }, spec: { clusterIP: '127.20.96.7' } },
    { metadata: { name: 'db', namespace: 'lab' }, spec: { clusterIP: 'None' } },
  ],
  [
    {
      metadata: { name: 'db-abc', namespace: 'lab', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['127.20.1.4'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['127.20.1.5'], conditions: { ready: true } },
        { addresses: ['127.20.1.6'], conditions: { ready: false } },
      ],
    },
  ],
);

const labelArb = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const nameArb = fc.array(labelArb, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.'));

test('a query round-trips through encodeQuery and parseQuery', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), nameArb, fc.integer({ min: 1, max: 0xffff }), fc.boolean(), (id, name, type, edns) => {
      const query = parseQuery(encodeQuery({ id, name, type, edns }));
      t.is(query.id, id);
      t.is(lookupKey(query.question.labels), name);
      t.is(query.question.type, type);
      t.is(query.ednsUdpSize !== undefined, edns);
    }),
    { numRuns: 500 },
  );
});

test('random bytes: parseQuery returns or throws DnsFormatError, nothing else', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      try {
        parseQuery(bytes);
      } catch (error) {
        if (!(error instanceof DnsFormatError)) throw error;
      }
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

test('mutated valid queries: respond never throws, and any reply is a response to the same ID', (t) => {
  const valid = fc.tuple(fc.integer({ min: 0, max: 0xffff }), nameArb, fc.constantFrom(1, 28, 255, 16), fc.boolean()).map(([id, name, type, edns]) => encodeQuery({ id, name, type, edns }));
  fc.assert(
    fc.property(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat({ max: 40 }), (bytes, flips, cut) => {
      const mutated = Buffer.from(bytes);
      for (const [at, value] of flips) mutated[at % mutated.length] = value;
      const message = mutated.subarray(0, Math.max(0, mutated.length - cut));
      for (const transport of ['udp', 'tcp'] as const) {
        const reply = respond(message, transport, table);
        if (!reply) continue;
        t.true(reply.length >= 12);
        t.is(reply.readUInt16BE(0), message.readUInt16BE(0));
        t.true((reply[2]! & 0x80) !== 0, 'QR is set');
        if (transport === 'udp') t.true(reply.length <= 1232);
      }
    }),
    { numRuns: 3000 },
  );
});

test('compression pointers: a loop or a forward pointer is FORMERR, a backward pointer is followed', (t) => {
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  const selfLoop = Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  const error = t.throws(() => parseQuery(selfLoop), { instanceOf: DnsFormatError });
  t.is(error?.id, 0x1234);
  const forward = Buffer.concat([header, Buffer.from([0xc0, 20, 0, 1, 0, 1, 0, 0])]);
  t.throws(() => parseQuery(forward), { instanceOf: DnsFormatError });
  // An additional record whose owner name points back at the question's name is fine.
  const query = encodeQuery({ id: 7, name: 'web.lab.svc.cluster.local', type: 1 });
  query.writeUInt16BE(1, 10);
  const withPointer = Buffer.concat([query, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4])]);
  t.is(lookupKey(parseQuery(withPointer).question.labels), 'web.lab.svc.cluster.local');
});

test('names longer than 255 bytes and labels longer than 63 are FORMERR with the ID', (t) => {
  const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
  t.throws(() => parseQuery(encodeQuery({ id: 1, name: long, type: 1 })), { instanceOf: DnsFormatError, message: /255/ });
  const label = Buffer.concat([Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]);
  const reply = respond(label, 'udp', table);
  t.truthy(reply);
  t.is(reply!.readUInt16BE(0), 9);
  t.is(reply![3]! & 0xf, RCODE.FORMERR);
});

test('a response sent to the server is dropped (no reflection)', (t) => {
  const reply = encodeResponse({ id: 5, opcode: 0, recursionDesired: true, rcode: 0, authoritative: true, answers: [] });
  t.is(respond(reply, 'udp', table), undefined);
});

test('answers: ClusterIP, headless, endpoint hostname, NODATA, NXDOMAIN in and out of the zone', (t) => {
  const ask = (name: string, type: number = DNS_TYPE.A) => answerQuery(table, parseQuery(encodeQuery({ id: 1, name, type })));
  t.deepEqual(ask('WEB.lab.svc.cluster.local').answers, [{ address: '127.20.96.7', ttl: 5 }]);
  t.deepEqual(ask('db.lab.svc.cluster.local').answers.map((a) => a.address), ['127.20.1.4', '127.20.1.5']);
  t.deepEqual(ask('db-0.db.lab.svc.cluster.local').answers.map((a) => a.address), ['127.20.1.4']);
  const aaaa = ask('web.lab.svc.cluster.local', DNS_TYPE.AAAA);
  t.is(aaaa.rcode, RCODE.NOERROR);
  t.is(aaaa.answers.length, 0);
  t.truthy(aaaa.soa);
  t.is(ask('lab.svc.cluster.local').rcode, RCODE.NOERROR);
  const missing = ask('nope.lab.svc.cluster.local');
  t.is(missing.rcode, RCODE.NXDOMAIN);
  t.true(missing.authoritative);
  t.is(ask('example.com').rcode, RCODE.NXDOMAIN);
  t.deepEqual(labelsOf('a.b.'), [Buffer.from('a'), Buffer.from('b')]);
});

test('a UDP answer larger than 512 bytes without EDNS is truncated (TC) and complete over TCP', (t) => {
  const many = zoneTable(
    [{ metadata: { name: 'big', namespace: 'lab' }, spec: { clusterIP: 'None' } }],
    [{ metadata: { namespace: 'lab', labels: { 'kubernetes.io/service-name': 'big' } }, endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`127.20.2.${i + 1}`] })) }],
  );
  const query = encodeQuery({ id: 3, name: 'big.lab.svc.cluster.local', type: DNS_TYPE.A });
  const udp = respond(query, 'udp', many)!;
  t.true((udp[2]! & 0x02) !== 0, 'TC set');
  t.is(udp.readUInt16BE(6), 0);
  const tcp = respond(query, 'tcp', many)!;
  t.is(tcp.readUInt16BE(6), 60);
  const edns = respond(encodeQuery({ id: 3, name: 'big.lab.svc.cluster.local', type: DNS_TYPE.A, edns: true }), 'udp', many)!;
  t.is(edns.readUInt16BE(6), 60, '60 answers fit in an EDNS payload of 1232');
});
