// Columns `kubectl get` prints for the common kinds, as the real server's
// table convertors (pkg/printers/internalversion) and the CRDs'
// additionalPrinterColumns define them. Every list starts with NAME and
// includes AGE: the API server renders them in order, nothing is implied.
import type { KubeObject } from '../store/store-types.js';
import type { TableColumn } from './types.js';
import { str } from '../validation/causes.js';

type Obj = Record<string, unknown>;

function field(object: unknown, ...path: (string | number)[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Obj)[key as string];
  }
  return current;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function text(value: unknown, none = '<none>'): string {
  if (value === undefined || value === null || value === '') return none;
  return str(value);
}

/** `status.conditions[?(@.type==T)].status`, or '' as kubectl prints a missing JSONPath result. */
export function conditionStatus(object: KubeObject, type: string): string {
  const condition = list(field(object, 'status', 'conditions')).find((c) => field(c, 'type') === type);
  return text(field(condition, 'status'), '');
}

/** Age like kubectl's duration.HumanDuration: 45s, 3m12s, 5h, 2d3h, 400d. */
export function humanAge(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp || typeof timestamp !== 'string') return '<unknown>';
  const then = Date.parse(timestamp);
  if (Number.isNaN(then)) return '<invalid>';
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata.name,
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => humanAge(o.metadata.creationTimestamp),
};

function column(name: string, cell: (o: KubeObject) => string | number, extra: Partial<TableColumn> = {}): TableColumn {
  return { name, type: 'string', cell, ...extra };
}

// --- core/v1 -----------------------------------------------------------------

function servicePorts(o: KubeObject): string {
  const ports = list(field(o, 'spec', 'ports'));
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => {
      const nodePort = field(p, 'nodePort');
      return `${text(field(p, 'port'), '')}${nodePort ? `:${nodePort}` : ''}/${text(field(p, 'protocol'), 'TCP')}`;
    })
    .join(',');
}

function serviceExternalIp(o: KubeObject): string {
  const type = text(field(o, 'spec', 'type'), 'ClusterIP');
  const external = list(field(o, 'spec', 'externalIPs')).map(String);
  if (type === 'ExternalName') return text(field(o, 'spec', 'externalName'));
  if (type === 'LoadBalancer') {
    const ingress = list(field(o, 'status', 'loadBalancer', 'ingress'))
      .map((i) => text(field(i, 'ip'), '') || text(field(i, 'hostname'), ''))
      .filter(Boolean);
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return external.length > 0 ? external.join(',') : '<none>';
}

function podReady(o: KubeObject): string {
  const containers = list(field(o, 'spec', 'containers'));
  const ready = list(field(o, 'status', 'containerStatuses')).filter((s) => field(s, 'ready') === true).length;
  return `${ready}/${containers.length}`;
}

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  for (const s of list(field(o, 'status', 'containerStatuses'))) {
    const waiting = field(s, 'state', 'waiting', 'reason');
    if (typeof waiting === 'string' && waiting) return waiting;
    const terminated = field(s, 'state', 'terminated', 'reason');
    if (typeof terminated === 'string' && terminated) return terminated;
  }
  const reason = field(o, 'status', 'reason');
  if (typeof reason === 'string' && reason) return reason;
  return text(field(o, 'status', 'phase'), 'Pending');
}

function podRestarts(o: KubeObject): number {
  return list(field(o, 'status', 'containerStatuses')).reduce<number>((sum, s) => sum + num(field(s, 'restartCount')), 0);
}

export const podColumns: TableColumn[] = [
  nameColumn,
  column('Ready', podReady, { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
  column('Status', podStatus, { description: 'The aggregate status of the containers in this pod.' }),
  { name: 'Restarts', type: 'integer', cell: podRestarts, description: 'The number of times the containers in this pod have been restarted.' },
  ageColumn,
  column('IP', (o) => text(field(o, 'status', 'podIP')), { wide: true }),
  column('Node', (o) => text(field(o, 'spec', 'nodeName')), { wide: true }),
  column('Nominated Node', (o) => text(field(o, 'status', 'nominatedNodeName')), { wide: true }),
  column('Readiness Gates', (o) => {
    const gates = list(field(o, 'spec', 'readinessGates'));
    if (gates.length === 0) return '<none>';
    const conditions = list(field(o, 'status', 'conditions'));
    const ready = gates.filter((g) => conditions.some((c) => field(c, 'type') === field(g, 'conditionType') && field(c, 'status') === 'True')).length;
    return `${ready}/${gates.length}`;
  }, { wide: true }),
];

export const serviceColumns: TableColumn[] = [
  nameColumn,
  column('Type', (o) => text(field(o, 'spec', 'type'), 'ClusterIP')),
  column('Cluster-IP', (o) => text(field(o, 'spec', 'clusterIP'))),
  column('External-IP', serviceExternalIp),
  column('Port(s)', servicePorts),
  ageColumn,
  column('Selector', (o) => {
    const selector = field(o, 'spec', 'selector');
    if (!selector || typeof selector !== 'object') return '<none>';
    const pairs = Object.entries(selector as Obj).map(([k, v]) => `${k}=${str(v)}`);
    return pairs.length > 0 ? pairs.join(',') : '<none>';
  }, { wide: true }),
];

export const secretColumns: TableColumn[] = [
  nameColumn,
  column('Type', (o) => text(o.type, 'Opaque')),
  { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as Obj | undefined) ?? {}).length },
  ageColumn,
];

export const configMapColumns: TableColumn[] = [
  nameColumn,
  { name: 'Data', type: 'integer', cell: (o) => Object.keys((o.data as Obj | undefined) ?? {}).length + Object.keys((o.binaryData as Obj | undefined) ?? {}).length },
  ageColumn,
];

export const namespaceColumns: TableColumn[] = [
  nameColumn,
  column('Status', (o) => text(field(o, 'status', 'phase'), 'Active')),
  ageColumn,
];

export const serviceAccountColumns: TableColumn[] = [
  nameColumn,
  { name: 'Secrets', type: 'integer', cell: (o) => list(o.secrets).length },
  ageColumn,
];

export const eventColumns: TableColumn[] = [
  column('Last Seen', (o) => humanAge(text(o.lastTimestamp, '') || text(o.eventTime, '') || o.metadata?.creationTimestamp)),
  column('Type', (o) => text(o.type, 'Normal')),
  column('Reason', (o) => text(o.reason, '')),
  column('Object', (o) => `${str(field(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${text(field(o, 'involvedObject', 'name'), '')}`),
  column('Message', (o) => text(o.message, '')),
];

// --- apps, discovery, apiextensions ------------------------------------------

export const deploymentColumns: TableColumn[] = [
  nameColumn,
  column('Ready', (o) => `${num(field(o, 'status', 'readyReplicas'))}/${num(field(o, 'spec', 'replicas'), 1)}`),
  { name: 'Up-to-date', type: 'integer', cell: (o) => num(field(o, 'status', 'updatedReplicas')) },
  { name: 'Available', type: 'integer', cell: (o) => num(field(o, 'status', 'availableReplicas')) },
  ageColumn,
  column('Containers', (o) => list(field(o, 'spec', 'template', 'spec', 'containers')).map((c) => text(field(c, 'name'), '')).join(','), { wide: true }),
  column('Images', (o) => list(field(o, 'spec', 'template', 'spec', 'containers')).map((c) => text(field(c, 'image'), '')).join(','), { wide: true }),
  column('Selector', (o) => formatSelector(field(o, 'spec', 'selector')), { wide: true }),
];

/** A LabelSelector as kubectl prints it: `app=x,tier in (a,b),!gone`. */
export function formatSelector(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '<none>';
  const parts: string[] = [];
  const matchLabels = field(selector, 'matchLabels');
  if (matchLabels && typeof matchLabels === 'object') for (const [k, v] of Object.entries(matchLabels)) parts.push(`${k}=${str(v)}`);
  for (const e of list(field(selector, 'matchExpressions'))) {
    const key = text(field(e, 'key'), '');
    const values = list(field(e, 'values')).map(str).join(',');
    const operator = field(e, 'operator');
    if (operator === 'In') parts.push(`${key} in (${values})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values})`);
    else if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
  }
  return parts.length > 0 ? parts.join(',') : '<none>';
}

export const endpointSliceColumns: TableColumn[] = [
  nameColumn,
  column('AddressType', (o) => text(o.addressType)),
  column('Ports', (o) => {
    const ports = list(o.ports).map((p) => text(field(p, 'port'), ''));
    return ports.length > 0 ? ports.join(',') : '<unset>';
  }),
  column('Endpoints', (o) => {
    const addresses = list(o.endpoints).flatMap((e) => list(field(e, 'addresses')).map(String));
    if (addresses.length === 0) return '<unset>';
    return addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
  }),
  ageColumn,
];

export const crdColumns: TableColumn[] = [
  nameColumn,
  column('Created At', (o) => text(o.metadata.creationTimestamp)),
];

// --- Gateway API (additionalPrinterColumns of the standard-channel CRDs) -------

export const gatewayClassColumns: TableColumn[] = [
  nameColumn,
  column('Controller', (o) => text(field(o, 'spec', 'controllerName'), '')),
  column('Accepted', (o) => conditionStatus(o, 'Accepted')),
  ageColumn,
  column('Description', (o) => text(field(o, 'spec', 'description'), ''), { wide: true }),
];

export const gatewayColumns: TableColumn[] = [
  nameColumn,
  column('Class', (o) => text(field(o, 'spec', 'gatewayClassName'), '')),
  column('Address', (o) => list(field(o, 'status', 'addresses')).map((a) => text(field(a, 'value'), '')).join(' ')),
  column('Programmed', (o) => conditionStatus(o, 'Programmed')),
  ageColumn,
];

/** HTTPRoute, GRPCRoute, TLSRoute: HOSTNAMES is the JSON array kubectl prints for `.spec.hostnames`. */
export const routeColumns: TableColumn[] = [
  nameColumn,
  column('Hostnames', (o) => {
    const hostnames = field(o, 'spec', 'hostnames');
    return Array.isArray(hostnames) && hostnames.length > 0 ? JSON.stringify(hostnames) : '';
  }),
  ageColumn,
];

// --- vendor kinds --------------------------------------------------------------

export const acceptedColumns: TableColumn[] = [nameColumn, column('Accepted', (o) => conditionStatus(o, 'Accepted')), ageColumn];

export const certificateColumns: TableColumn[] = [
  nameColumn,
  column('Ready', (o) => conditionStatus(o, 'Ready')),
  column('Secret', (o) => text(field(o, 'spec', 'secretName'), '')),
  ageColumn,
  column('Issuer', (o) => text(field(o, 'spec', 'issuerRef', 'name'), ''), { wide: true }),
  column('Status', (o) => {
    const condition = list(field(o, 'status', 'conditions')).find((c) => field(c, 'type') === 'Ready');
    return text(field(condition, 'message'), '');
  }, { wide: true }),
];

export const issuerColumns: TableColumn[] = [
  nameColumn,
  column('Ready', (o) => conditionStatus(o, 'Ready')),
  ageColumn,
  column('Status', (o) => {
    const condition = list(field(o, 'status', 'conditions')).find((c) => field(c, 'type') === 'Ready');
    return text(field(condition, 'message'), '');
  }, { wide: true }),
];

export const ageOnlyColumns: TableColumn[] = [nameColumn, ageColumn];

// --- additionalPrinterColumns of stored CRDs ----------------------------------------

/**
 * Evaluates the JSONPath subset printer columns use: `.a.b`, `['a.b']`,
 * `[0]`, `[*]`, `[?(@.type=="Ready")]` (also with single quotes or `!=`).
 * Returns every match.
 */
export function evaluateJsonPath(object: unknown, path: string): unknown[] {
  let current: unknown[] = [object];
  let rest = path.trim().replace(/^\{|\}$/g, '').replace(/^\$/, '');
  for (let steps = 0; rest.length > 0 && steps < 64; steps++) {
    let match: RegExpMatchArray | null;
    if ((match = rest.match(/^\.([A-Za-z0-9_-]+)/))) {
      const key = match[1];
      current = current.map((v) => field(v, key)).filter((v) => v !== undefined);
    } else if ((match = rest.match(/^\[\s*['"]([^'"]*)['"]\s*\]/))) {
      const key = match[1];
      current = current.map((v) => field(v, key)).filter((v) => v !== undefined);
    } else if ((match = rest.match(/^\[\s*\*\s*\]/)) || (match = rest.match(/^\.\*/))) {
      current = current.flatMap((v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : []));
    } else if ((match = rest.match(/^\[\s*(-?\d+)\s*\]/))) {
      const index = Number(match[1]);
      current = current.map((v) => (Array.isArray(v) ? v[index < 0 ? v.length + index : index] : undefined)).filter((v) => v !== undefined);
    } else if ((match = rest.match(/^\[\s*\?\(\s*@\.([A-Za-z0-9_.-]+)\s*(==|!=)\s*['"]([^'"]*)['"]\s*\)\s*\]/))) {
      const [, key, op, expected] = match;
      current = current.flatMap((v) => (Array.isArray(v) ? v : [])).filter((item) => {
        const actual = key.split('.').reduce<unknown>((o, k) => field(o, k), item);
        return op === '==' ? str(actual) === expected && actual !== undefined : str(actual) !== expected;
      });
    } else {
      return [];
    }
    rest = rest.slice(match[0].length);
  }
  return rest.length > 0 ? [] : current;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** A CRD's additionalPrinterColumns as table columns (NAME first, as kube-apiserver adds it). */
export function printerColumns(columns: PrinterColumn[]): TableColumn[] {
  const out: TableColumn[] = [nameColumn];
  for (const c of columns) {
    const type: TableColumn['type'] = c.type === 'integer' ? 'integer' : c.type === 'date' ? 'date' : 'string';
    out.push({
      name: c.name,
      type,
      ...(c.description ? { description: c.description } : {}),
      ...(c.priority && c.priority > 0 ? { wide: true } : {}),
      cell: (o) => {
        const values = evaluateJsonPath(o, c.jsonPath);
        if (values.length === 0) return type === 'date' ? '<unknown>' : '';
        if (type === 'date') return humanAge(str(values[0]));
        if (type === 'integer' && values.length === 1 && typeof values[0] === 'number') return values[0];
        return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : str(v))).join(' ');
      },
    });
  }
  return out;
}
