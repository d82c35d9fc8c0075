// Services + EndpointSlices → the A records of the cluster zone, as CoreDNS's
// kubernetes plugin serves them (its defaults: zone cluster.local, TTL 5 s):
//   <svc>.<ns>.svc.cluster.local              ClusterIP Service → its cluster IP
//                                             headless Service → every ready endpoint
//   <hostname>.<svc>.<ns>.svc.cluster.local   a headless endpoint that has a hostname
// The cluster IPs are the embedded network's (127.N.96.x, served by the
// kube-proxy pod), so an answer is an address a pod can connect to.
// ExternalName Services (a CNAME) are not served.
import { DNS_CLASS, DNS_TYPE, lookupKey, RCODE, type DnsQuery, type DnsResponse, type SoaRecord } from './message.js';

export const CLUSTER_ZONE = 'cluster.local';
export const RECORD_TTL = 5;

interface Meta { name?: string; namespace?: string; labels?: Record<string, string> }
export interface ServiceLike {
  metadata?: Meta;
  spec?: { type?: string; clusterIP?: string; publishNotReadyAddresses?: boolean };
}
export interface SliceLike {
  metadata?: Meta;
  addressType?: string;
  endpoints?: Array<{ addresses: string[]; hostname?: string; conditions?: { ready?: boolean } }> | null;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export class ZoneTable {
  /** Name (lower case, no trailing dot) → addresses. */
  readonly records = new Map<string, string[]>();
  /** Names that exist only as ancestors of records (svc.cluster.local, <ns>.svc.cluster.local). */
  readonly emptyNonTerminals = new Set<string>();

  constructor(readonly zone = CLUSTER_ZONE) {}

  add(name: string, addresses: string[]): void {
    const key = name.toLowerCase();
    const list = this.records.get(key) ?? [];
    for (const address of addresses) if (!list.includes(address)) list.push(address);
    this.records.set(key, list);
    const labels = key.split('.');
    for (let i = 1; i < labels.length; i++) {
      const ancestor = labels.slice(i).join('.');
      if (ancestor.length < this.zone.length) break;
      this.emptyNonTerminals.add(ancestor);
    }
  }
}

export function zoneTable(services: ServiceLike[], slices: SliceLike[], zone = CLUSTER_ZONE): ZoneTable {
  const table = new ZoneTable(zone);
  for (const service of services) {
    const name = service.metadata?.name;
    const namespace = service.metadata?.namespace ?? 'default';
    if (!name) continue;
    const spec = service.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const fqdn = `${name}.${namespace}.svc.${zone}`;
    if (spec.clusterIP && spec.clusterIP !== 'None') {
      if (IPV4.test(spec.clusterIP)) table.add(fqdn, [spec.clusterIP]);
      continue;
    }
    if (spec.clusterIP !== 'None') continue; // no address assigned yet
    const addresses: string[] = [];
    for (const slice of slices) {
      if (slice.metadata?.namespace !== namespace || slice.metadata?.labels?.['kubernetes.io/service-name'] !== name) continue;
      if ((slice.addressType ?? 'IPv4') !== 'IPv4') continue;
      for (const endpoint of slice.endpoints ?? []) {
        // Per the EndpointSlice API an unknown readiness is read as ready.
        if (endpoint.conditions?.ready === false && !spec.publishNotReadyAddresses) continue;
        const valid = endpoint.addresses.filter((a) => IPV4.test(a));
        addresses.push(...valid);
        if (endpoint.hostname && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(endpoint.hostname)) table.add(`${endpoint.hostname}.${fqdn}`, valid);
      }
    }
    // A headless Service without ready endpoints has no A records: NXDOMAIN, as in CoreDNS.
    if (addresses.length) table.add(fqdn, addresses);
  }
  return table;
}

export function zoneSoa(zone: string): SoaRecord {
  // CoreDNS's kubernetes plugin: ns.dns.<zone>, hostmaster.<zone>, refresh 7200, retry 1800, expire 86400, minimum = TTL.
  return { zone, primary: `ns.dns.${zone}`, mailbox: `hostmaster.${zone}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL, ttl: RECORD_TTL };
}

/**
 * The answer to one query. Names in the zone are answered with authority
 * (records, NODATA for another type or an empty non-terminal, else
 * NXDOMAIN); names outside it get NXDOMAIN too, since nothing here forwards
 * to the Internet (the `forward` plugin is not emulated).
 */
export function answerQuery(table: ZoneTable, query: DnsQuery): DnsResponse {
  const base = { id: query.id, opcode: query.opcode, recursionDesired: query.recursionDesired, question: query.question, answers: [], edns: query.ednsUdpSize !== undefined };
  if (query.opcode !== 0) return { ...base, rcode: RCODE.NOTIMP, authoritative: false };
  const { type, class: klass } = query.question;
  if (klass !== DNS_CLASS.IN && klass !== DNS_CLASS.ANY) return { ...base, rcode: RCODE.REFUSED, authoritative: false };
  const key = lookupKey(query.question.labels);
  const zone = table.zone;
  const inZone = key !== undefined && (key === zone || key.endsWith(`.${zone}`));
  if (!inZone) return { ...base, rcode: RCODE.NXDOMAIN, authoritative: false };
  const soa = zoneSoa(zone);
  const addresses = table.records.get(key);
  if (addresses) {
    if (type === DNS_TYPE.A || type === DNS_TYPE.ANY) return { ...base, rcode: RCODE.NOERROR, authoritative: true, answers: addresses.map((address) => ({ address, ttl: RECORD_TTL })) };
    return { ...base, rcode: RCODE.NOERROR, authoritative: true, soa };
  }
  if (key === zone || table.emptyNonTerminals.has(key)) return { ...base, rcode: RCODE.NOERROR, authoritative: true, soa };
  return { ...base, rcode: RCODE.NXDOMAIN, authoritative: true, soa };
}
