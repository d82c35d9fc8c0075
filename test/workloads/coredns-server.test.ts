// The coredns workload's server on the wire: node's own resolver (c-ares)
// asks it over UDP, and falls back to TCP on a truncated answer; the
// Corefile of the conformance suite's base manifests is read for its port.
import test from 'ava';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { once } from 'node:events';
import { readCorefile } from '../../source/workloads/coredns/index.js';
import { zoneTable } from '../../source/workloads/coredns/records.js';
import { startDnsServer } from '../../source/workloads/coredns/server.js';
import { encodeQuery } from '../../source/workloads/coredns/message.js';

const table = zoneTable(
  [
    { metadata: { name: 'web', namespace: 'lab' }, spec: { clusterIP: '127.20.96.7' } },
    { metadata: { name: 'big', namespace: 'lab' }, spec: { clusterIP: 'None' } },
  ],
  [{ metadata: { namespace: 'lab', labels: { 'kubernetes.io/service-name': 'big' } }, endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`127.20.2.${i + 1}`] })) }],
);

async function server(t: { teardown(fn: () => Promise<void>): void }) {
  const entries: Array<{ transport: string; name?: string }> = [];
  const dns = await startDnsServer({ host: '127.0.0.1', port: 0, table: () => table, log: (e) => entries.push(e) });
  t.teardown(() => dns.close());
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${dns.port}`]);
  return { dns, resolver, entries };
}

test('node:dns resolves a ClusterIP Service name over UDP and gets ENOTFOUND for an unknown one', async (t) => {
  const { resolver, entries } = await server(t);
  t.deepEqual(await resolver.resolve4('web.lab.svc.cluster.local'), ['127.20.96.7']);
  t.deepEqual(await resolver.resolve4('web.lab.svc.cluster.local', { ttl: true }), [{ address: '127.20.96.7', ttl: 5 }]);
  const error = await t.throwsAsync(resolver.resolve4('nope.lab.svc.cluster.local'));
  t.is((error as NodeJS.ErrnoException).code, 'ENOTFOUND');
  t.true(entries.every((e) => e.transport === 'udp'));
});

test('a truncated UDP answer makes the resolver ask again over TCP, which gives all 60 records', async (t) => {
  const { resolver, entries } = await server(t);
  const addresses = await resolver.resolve4('big.lab.svc.cluster.local');
  t.is(addresses.length, 60);
  t.true(entries.some((e) => e.transport === 'tcp' && e.name === 'big.lab.svc.cluster.local.'));
});

test('TCP: two length-prefixed queries on one connection, sent in one write, get two answers in order', async (t) => {
  const { dns } = await server(t);
  const socket = net.connect(dns.port, '127.0.0.1');
  await once(socket, 'connect');
  const frame = (id: number) => {
    const query = encodeQuery({ id, name: 'web.lab.svc.cluster.local', type: 1 });
    return Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  };
  socket.write(Buffer.concat([frame(1), frame(2)]));
  let received = Buffer.alloc(0);
  const ids: number[] = [];
  for await (const chunk of socket) {
    received = Buffer.concat([received, chunk as Buffer]);
    while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
      ids.push(received.readUInt16BE(2));
      received = received.subarray(2 + received.readUInt16BE(0));
    }
    if (ids.length === 2) break;
  }
  socket.destroy();
  t.deepEqual(ids, [1, 2]);
});

test("the conformance suite's Corefile: port 53, both zones, its plugins listed", (t) => {
  const summary = readCorefile(['.:53 {', '    forward . 8.8.8.8 9.9.9.9', '    log', '    errors', '}', 'foo.bar.com:53 {', '  whoami', '}', ''].join('\n'));
  t.deepEqual(summary, { port: 53, zones: ['.', 'foo.bar.com'], plugins: ['forward', 'log', 'errors', 'whoami'] });
  const kubeDns = readCorefile('.:5353 {\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n  }\n  ready\n}\n');
  t.deepEqual(kubeDns, { port: 5353, zones: ['.'], plugins: ['kubernetes', 'ready'] });
});
