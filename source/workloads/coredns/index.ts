// `workload coredns`: what pods of registry.k8s.io/coredns/coredns run in the
// embedded cluster: the cluster's DNS server. It answers A queries for
// <svc>.<ns>.svc.cluster.local over UDP and TCP, from a watch of Services and
// EndpointSlices (what CoreDNS's kubernetes plugin serves), on the pod's
// address and the Corefile's port (53, bound as 8053 without root: the kubelet
// knows this image listens on 53 and records the mapping). Flags as CoreDNS
// takes them (-conf, -dns.port). Whatever the Corefile says, the cluster zone
// is served and nothing else: `forward` (to the Internet), `whoami`, `cache`
// and the other plugins are not emulated, and say so in the log; names outside
// the zone get NXDOMAIN. `health` (:8080 /health) and `ready` (:8181 /ready,
// 200 once the first sync is done) are served when the Corefile lists them.
import fs from 'node:fs';
import http from 'node:http';
import * as k8s from '../../cluster/k8s-client.js';
import { FlagError, parseFlags } from '../common/flags.js';
import { bindHost, closeServer, listenOn, listenPort, mountedPath, untilSignal } from '../common/listen.js';
import { watchServicesAndSlices } from '../common/service-watch.js';
import { zoneTable, ZoneTable, type ServiceLike, type SliceLike } from './records.js';
import { startDnsServer } from './server.js';

export const DNS_PORT = 53;
const HEALTH_PORT = 8080;
const READY_PORT = 8181;
const EMULATED_PLUGINS = new Set(['kubernetes', 'health', 'ready', 'errors', 'log']);

export interface CorefileSummary {
  port: number;
  zones: string[];
  plugins: string[];
}

/** The server blocks' zones and port, and every plugin named at the top of a block (comments and nested blocks skipped). */
export function readCorefile(text: string): CorefileSummary {
  const zones: string[] = [];
  const plugins: string[] = [];
  let port: number | undefined;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const opens = (line.match(/\{/g) ?? []).length;
    const closes = (line.match(/\}/g) ?? []).length;
    const head = line.replace(/[{}]/g, ' ').trim();
    if (depth === 0 && opens > 0 && head) {
      for (const key of head.split(/\s+/)) {
        const match = /^(?:dns:\/\/)?([^:]*)(?::(\d+))?$/.exec(key);
        if (!match) continue;
        zones.push(match[1] || '.');
        if (port === undefined && match[2]) port = Number(match[2]);
      }
    } else if (depth === 1 && head) {
      const plugin = head.split(/\s+/)[0]!;
      if (!plugins.includes(plugin)) plugins.push(plugin);
    }
    depth = Math.max(0, depth + opens - closes);
  }
  return { port: port ?? DNS_PORT, zones, plugins };
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { values: ['conf', 'dns.port', 'pidfile'], booleans: ['quiet', 'version', 'plugins'] });
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  if (flags.booleans.has('version')) {
    console.log('CoreDNS (agw-workshop built-in: cluster zone only)');
    return 0;
  }
  let corefile: CorefileSummary = { port: DNS_PORT, zones: ['.'], plugins: ['kubernetes'] };
  const conf = flags.values.get('conf');
  if (conf) {
    const file = mountedPath(conf);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new FlagError(`cannot read Corefile ${conf}: ${(error as Error).message}`);
    }
    corefile = readCorefile(text);
  }
  const portFlag = flags.values.get('dns.port');
  const port = portFlag !== undefined ? Number(portFlag) : corefile.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FlagError(`invalid port ${JSON.stringify(portFlag ?? corefile.port)}`);
  const missing = corefile.plugins.filter((p) => !EMULATED_PLUGINS.has(p));
  if (missing.length) log(`coredns: plugins not emulated (ignored): ${missing.join(', ')}; names outside cluster.local get NXDOMAIN`);
  log(`coredns: serving cluster.local from Services and EndpointSlices (zones in the Corefile: ${corefile.zones.join(' ') || 'none'})`);

  let table = new ZoneTable();
  const stops: Array<() => Promise<void>> = [];
  const kubeconfig = process.env.KUBECONFIG;
  if (kubeconfig) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    // Rebuilt whole on every change: a few hundred objects at most in a workshop cluster.
    const rebuild = () => {
      table = zoneTable(watch.services<ServiceLike>(), watch.slices<SliceLike>());
    };
    const watch = await watchServicesAndSlices(kc, 'coredns', log, () => rebuild());
    rebuild();
    stops.push(() => watch.stop());
    log(`coredns: initial sync done (${table.records.size} names)`);
  } else {
    log('coredns: no KUBECONFIG: the cluster zone is empty');
  }

  const quiet = flags.booleans.has('quiet') || !corefile.plugins.includes('log');
  const server = await startDnsServer({
    host: bindHost(),
    port: listenPort(port),
    table: () => table,
    log: (entry) => {
      if (entry.error) log(`coredns: ${entry.transport} ${entry.client}: ${entry.error}`);
      else if (!quiet) log(`[INFO] ${entry.client} ${entry.transport} ${entry.name} type=${entry.type} rcode=${entry.rcode} answers=${entry.answers}`);
    },
  });
  console.log(`DNS (UDP and TCP): listening on ${server.host}:${server.port}${server.port !== port ? ` (configured port ${port})` : ''}`);

  const httpServers: http.Server[] = [];
  if (corefile.plugins.includes('health')) {
    const health = http.createServer((_req, res) => res.writeHead(200).end('OK'));
    await listenOn(health, HEALTH_PORT, 'coredns health');
    httpServers.push(health);
  }
  if (corefile.plugins.includes('ready')) {
    // Started after the first sync, so it answers 200 from its first request.
    const ready = http.createServer((_req, res) => res.writeHead(200).end('OK'));
    await listenOn(ready, READY_PORT, 'coredns ready');
    httpServers.push(ready);
  }

  return untilSignal(async () => {
    await Promise.all([...stops.map((stop) => stop()), server.close(), ...httpServers.map((s) => closeServer(s))]);
  });
}
