// The hand-written checks kube-apiserver runs on core/apps objects beyond
// their OpenAPI schema (pkg/apis/core/validation, pkg/apis/apps/validation),
// for the fields the labs touch.
import type { StatusCause } from '../apiserver/api-error.js';
import type { KubeObject } from '../store/store-types.js';
import { FieldPath, forbidden, invalid, notSupported, required, str } from './causes.js';
import { checkName } from './metadata.js';
import { selectorMatches } from '../../label-selector.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function duplicate(path: FieldPath, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field: String(path), message: `Duplicate value: ${JSON.stringify(value)}` };
}

function checkDataKeys(path: FieldPath, data: unknown): StatusCause[] {
  if (!isObj(data)) return [];
  return Object.keys(data)
    .filter((key) => key.length > 253 || !CONFIG_KEY.test(key) || key === '.' || key === '..')
    .map((key) => invalid(path, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
}

/**
 * Where Go's base64.StdEncoding (what decodes []byte fields from JSON) gives
 * up on a value: the index of the first illegal byte, or -1 when it decodes.
 */
export function illegalBase64At(value: string): number {
  const text = value.replace(/[\r\n]/g, '');
  const bad = text.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) return bad;
  const padding = text.indexOf('=');
  if (padding !== -1 && (!/^=*$/.test(text.slice(padding)) || text.length - padding > 2)) return padding;
  if (text.length % 4 !== 0) return text.length - (text.length % 4);
  return -1;
}

/** []byte maps (Secret data, ConfigMap binaryData) must hold base64 strings. */
function checkBase64Values(path: FieldPath, data: unknown): StatusCause[] {
  if (!isObj(data)) return [];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') {
      causes.push(invalid(path.key(key), typeof value, 'must be a base64-encoded string'));
      continue;
    }
    const at = illegalBase64At(value);
    if (at !== -1) causes.push(invalid(path.key(key), value.length > 40 ? `${value.slice(0, 40)}...` : value, `illegal base64 data at input byte ${at}`));
  }
  return causes;
}

export function checkSecret(secret: KubeObject): StatusCause[] {
  const causes = [
    ...checkDataKeys(FieldPath.root('data'), secret.data),
    ...checkDataKeys(FieldPath.root('stringData'), secret.stringData),
    ...checkBase64Values(FieldPath.root('data'), secret.data),
  ];
  const keys = new Set([...Object.keys(isObj(secret.data) ? secret.data : {}), ...Object.keys(isObj(secret.stringData) ? secret.stringData : {})]);
  if (secret.type === 'kubernetes.io/tls') {
    for (const key of ['tls.crt', 'tls.key']) if (!keys.has(key)) causes.push(required(FieldPath.root('data').key(key)));
  }
  if (secret.type === 'kubernetes.io/basic-auth' && !keys.has('username') && !keys.has('password')) {
    causes.push(required(FieldPath.root('data').key('username')));
  }
  if (secret.type === 'kubernetes.io/dockerconfigjson' && !keys.has('.dockerconfigjson')) {
    causes.push(required(FieldPath.root('data').key('.dockerconfigjson')));
  }
  return causes;
}

export function checkConfigMap(configMap: KubeObject): StatusCause[] {
  return [
    ...checkDataKeys(FieldPath.root('data'), configMap.data),
    ...checkDataKeys(FieldPath.root('binaryData'), configMap.binaryData),
    ...checkBase64Values(FieldPath.root('binaryData'), configMap.binaryData),
  ];
}

function checkPort(path: FieldPath, value: unknown): StatusCause[] {
  if (typeof value !== 'number') return [];
  return value >= 1 && value <= 65535 ? [] : [invalid(path, value, 'must be between 1 and 65535, inclusive')];
}

function checkProtocol(path: FieldPath, value: unknown): StatusCause[] {
  if (value === undefined) return [];
  return ['TCP', 'UDP', 'SCTP'].includes(str(value)) ? [] : [notSupported(path, value, ['SCTP', 'TCP', 'UDP'])];
}

export function checkService(service: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObj(service.spec) ? service.spec : {};
  const specPath = FieldPath.root('spec');
  const type = spec.type ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(str(type))) {
    causes.push(notSupported(specPath.child('type'), type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  }
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && type !== 'ExternalName' && !headless) causes.push(required(specPath.child('ports')));
  if (type === 'ExternalName' && !spec.externalName) causes.push(required(specPath.child('externalName')));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = specPath.child('ports').index(i);
    if (!isObj(p)) return;
    if (ports.length > 1 && !p.name) causes.push(required(path.child('name')));
    if (typeof p.name === 'string' && p.name) {
      if (names.has(p.name)) causes.push(duplicate(path.child('name'), p.name));
      names.add(p.name);
      causes.push(...checkName(path.child('name'), p.name, 'label'));
    }
    if (p.port === undefined) causes.push(required(path.child('port')));
    causes.push(...checkPort(path.child('port'), p.port));
    causes.push(...checkProtocol(path.child('protocol'), p.protocol));
    if (typeof p.targetPort === 'number') causes.push(...checkPort(path.child('targetPort'), p.targetPort));
  });
  return causes;
}

/**
 * validateLocalDescendingPath (pkg/apis/core/validation): a path the kubelet
 * joins under a volume must stay under it: relative, no `..` element.
 */
function checkDescendingPath(path: FieldPath, value: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (value.startsWith('/')) causes.push(invalid(path, value, 'must be a relative path'));
  if (value.split('/').includes('..')) causes.push(invalid(path, value, "must not contain '..'"));
  return causes;
}

/** validateVolumeMounts: a mount names a volume of the pod, has a mountPath, and its subPath(Expr) stays inside the volume. */
function checkVolumeMounts(path: FieldPath, list: unknown, volumeNames: ReadonlySet<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const mountPaths = new Set<string>();
  (Array.isArray(list) ? list : []).forEach((m, i) => {
    if (!isObj(m)) return;
    const at = path.index(i);
    if (typeof m.name !== 'string' || m.name === '') causes.push(required(at.child('name')));
    else if (!volumeNames.has(m.name)) causes.push({ reason: 'FieldValueNotFound', field: String(at.child('name')), message: `Not found: ${JSON.stringify(m.name)}` });
    if (typeof m.mountPath !== 'string' || m.mountPath === '') causes.push(required(at.child('mountPath')));
    else {
      if (mountPaths.has(m.mountPath)) causes.push(invalid(at.child('mountPath'), m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (typeof m.subPath === 'string' && m.subPath !== '') causes.push(...checkDescendingPath(at.child('subPath'), m.subPath));
    if (typeof m.subPathExpr === 'string' && m.subPathExpr !== '') {
      if (typeof m.subPath === 'string' && m.subPath !== '') causes.push(invalid(at.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      causes.push(...checkDescendingPath(at.child('subPathExpr'), m.subPathExpr));
    }
  });
  return causes;
}

function checkContainers(path: FieldPath, list: unknown, requireOne: boolean, volumeNames: ReadonlySet<string> = new Set()): StatusCause[] {
  const causes: StatusCause[] = [];
  const containers = Array.isArray(list) ? list : [];
  if (requireOne && containers.length === 0) return [required(path)];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = path.index(i);
    if (!isObj(c)) return;
    if (typeof c.name !== 'string' || c.name === '') causes.push(required(at.child('name')));
    else {
      if (names.has(c.name)) causes.push(duplicate(at.child('name'), c.name));
      names.add(c.name);
      causes.push(...checkName(at.child('name'), c.name, 'label'));
    }
    if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(required(at.child('image')));
    const ports = Array.isArray(c.ports) ? c.ports : [];
    ports.forEach((p, j) => {
      if (!isObj(p)) return;
      const portPath = at.child('ports').index(j);
      if (p.containerPort === undefined) causes.push(required(portPath.child('containerPort')));
      causes.push(...checkPort(portPath.child('containerPort'), p.containerPort));
      causes.push(...checkProtocol(portPath.child('protocol'), p.protocol));
    });
    const env = Array.isArray(c.env) ? c.env : [];
    env.forEach((e, j) => {
      if (isObj(e) && (typeof e.name !== 'string' || e.name === '')) causes.push(required(at.child('env').index(j).child('name')));
    });
    causes.push(...checkVolumeMounts(at.child('volumeMounts'), c.volumeMounts, volumeNames));
  });
  return causes;
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

/** validateKeyToPath: an item's path is relative, has no `..` element and does not start with `..`. */
function checkKeyToPaths(path: FieldPath, items: unknown[]): StatusCause[] {
  const causes: StatusCause[] = [];
  items.forEach((item, i) => {
    if (!isObj(item)) return;
    const at = path.index(i);
    if (typeof item.key !== 'string' || item.key === '') causes.push(required(at.child('key')));
    if (typeof item.path !== 'string' || item.path === '') {
      causes.push(required(at.child('path')));
      return;
    }
    causes.push(...checkDescendingPath(at.child('path'), item.path));
    if (item.path.startsWith('..')) causes.push(invalid(at.child('path'), item.path, "must not start with '..'"));
  });
  return causes;
}

function volumeNamesOf(list: unknown): Set<string> {
  return new Set((Array.isArray(list) ? list : []).flatMap((v) => (isObj(v) && typeof v.name === 'string' ? [v.name] : [])));
}

function checkVolumes(path: FieldPath, list: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  (Array.isArray(list) ? list : []).forEach((v, i) => {
    if (!isObj(v)) return;
    const at = path.index(i);
    if (typeof v.name !== 'string' || v.name === '') causes.push(required(at.child('name')));
    else {
      if (names.has(v.name)) causes.push(duplicate(at.child('name'), v.name));
      names.add(v.name);
      // The kubelet makes a directory of this name: a DNS-1123 label cannot climb out of it.
      causes.push(...checkName(at.child('name'), v.name, 'label'));
    }
    for (const source of ['secret', 'configMap'] as const) {
      const items = isObj(v[source]) && Array.isArray((v[source] as Obj).items) ? ((v[source] as Obj).items as unknown[]) : [];
      causes.push(...checkKeyToPaths(at.child(source).child('items'), items));
    }
    const projected = isObj(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [];
    projected.forEach((p, j) => {
      for (const source of ['secret', 'configMap'] as const) {
        const block = isObj(p) && isObj(p[source]) ? (p[source] as Obj) : undefined;
        if (block && Array.isArray(block.items)) causes.push(...checkKeyToPaths(at.child('projected').child('sources').index(j).child(source).child('items'), block.items));
      }
    });
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) causes.push(required(at, 'must specify a volume type'));
    // kube reports the second source it finds as the forbidden one.
    else if (sources.length > 1) causes.push({ reason: 'FieldValueForbidden', field: String(at.child(sources[1])), message: 'Forbidden: may not specify more than 1 volume type' });
  });
  return causes;
}

export function checkPodSpec(path: FieldPath, spec: unknown): StatusCause[] {
  if (!isObj(spec)) return [required(path)];
  const volumeNames = volumeNamesOf(spec.volumes);
  return [
    ...checkVolumes(path.child('volumes'), spec.volumes),
    ...checkContainers(path.child('containers'), spec.containers, true, volumeNames),
    ...checkContainers(path.child('initContainers'), spec.initContainers, false, volumeNames),
  ];
}

export function checkPod(pod: KubeObject): StatusCause[] {
  return checkPodSpec(FieldPath.root('spec'), pod.spec);
}

/** metav1validation.ValidateLabelSelectorRequirement: a known operator, with values exactly when it needs them. */
function checkSelectorRequirements(path: FieldPath, selector: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((e, i) => {
    if (!isObj(e)) return;
    const at = path.child('matchExpressions').index(i);
    const values = Array.isArray(e.values) ? e.values : [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) causes.push(required(at.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbidden(at.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(invalid(at.child('operator'), e.operator, 'not a valid selector operator'));
    }
  });
  return causes;
}

export function checkDeployment(deployment: KubeObject): StatusCause[] {
  const spec = isObj(deployment.spec) ? deployment.spec : undefined;
  const specPath = FieldPath.root('spec');
  if (!spec) return [required(specPath)];
  const causes: StatusCause[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push(invalid(specPath.child('replicas'), spec.replicas, 'must be greater than or equal to 0'));
  }
  const strategy = isObj(spec.strategy) ? spec.strategy : undefined;
  if (strategy) {
    const type = strategy.type ?? 'RollingUpdate';
    if (type !== 'RollingUpdate' && type !== 'Recreate') causes.push(notSupported(specPath.child('strategy').child('type'), type, ['Recreate', 'RollingUpdate']));
    if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
      causes.push({ reason: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
    }
  }
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  if (!selector) causes.push(required(specPath.child('selector')));
  else if (Object.keys(isObj(selector.matchLabels) ? selector.matchLabels : {}).length === 0 && !Array.isArray(selector.matchExpressions)) {
    causes.push(invalid(specPath.child('selector'), 'null', 'empty selector is invalid for deployment'));
  }
  const selectorProblems = selector ? checkSelectorRequirements(specPath.child('selector'), selector) : [];
  causes.push(...selectorProblems);
  // As ValidateDeploymentSpec: a selector that cannot be turned into a labels.Selector is reported as such, not compared with the template.
  if (selectorProblems.length) causes.push(invalid(specPath.child('selector'), selector, 'invalid label selector'));
  const template = isObj(spec.template) ? spec.template : undefined;
  if (!template) {
    causes.push(required(specPath.child('template')));
    return causes;
  }
  const labels = isObj(template.metadata) && isObj(template.metadata.labels) ? template.metadata.labels : {};
  if (selector && !selectorProblems.length && !selectorMatches(selector, labels)) {
    const rendered = `map[string]string{${Object.entries(labels).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: `Invalid value: ${rendered}: \`selector\` does not match template \`labels\`` });
  }
  causes.push(...checkPodSpec(specPath.child('template').child('spec'), template.spec));
  return causes;
}
