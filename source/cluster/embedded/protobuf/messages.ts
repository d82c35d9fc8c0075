// Field numbers of the Kubernetes protobuf messages (k8s.io/api
// core/v1 and apps/v1 generated.proto, apimachinery meta/v1) for the objects
// `kubectl create` sends: secret, configmap, namespace, serviceaccount,
// deployment, service. Only the fields those commands can set, plus the
// common ones a hand-built body may carry; unknown fields are skipped as
// protobuf requires.
export type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';

export type FieldType =
  | Scalar
  | { message: MessageDescriptor }
  | { map: { key: 'string'; value: Scalar | { message: MessageDescriptor } } }
  | 'time'
  | 'intOrString'
  | 'quantity';

export interface FieldDescriptor {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Keep a zero value (Go pointer fields: present means set, e.g. replicas: 0). */
  keep?: boolean;
}

export interface MessageDescriptor {
  name: string;
  fields: Record<number, FieldDescriptor>;
}

function message(name: string, fields: Record<number, FieldDescriptor>): MessageDescriptor {
  return { name, fields };
}
const f = (name: string, type: FieldType, repeated = false, keep = false): FieldDescriptor => ({ name, type, ...(repeated ? { repeated } : {}), ...(keep ? { keep } : {}) });
const stringMap: FieldType = { map: { key: 'string', value: 'string' } };
const bytesMap: FieldType = { map: { key: 'string', value: 'bytes' } };

export const ownerReference = message('OwnerReference', {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool'),
  7: f('blockOwnerDeletion', 'bool'),
});

export const objectMeta = message('ObjectMeta', {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int64'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int64'),
  11: f('labels', stringMap),
  12: f('annotations', stringMap),
  13: f('ownerReferences', { message: ownerReference }, true),
  14: f('finalizers', 'string', true),
});

const localObjectReference = message('LocalObjectReference', { 1: f('name', 'string') });
const objectReference = message('ObjectReference', {
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
});

export const secret = message('Secret', {
  1: f('metadata', { message: objectMeta }),
  2: f('data', bytesMap),
  3: f('type', 'string'),
  4: f('stringData', stringMap),
  5: f('immutable', 'bool', false, true),
});

export const configMap = message('ConfigMap', {
  1: f('metadata', { message: objectMeta }),
  2: f('data', stringMap),
  3: f('binaryData', bytesMap),
  4: f('immutable', 'bool', false, true),
});

export const namespace = message('Namespace', {
  1: f('metadata', { message: objectMeta }),
  2: f('spec', { message: message('NamespaceSpec', { 1: f('finalizers', 'string', true) }) }),
  3: f('status', { message: message('NamespaceStatus', { 1: f('phase', 'string') }) }),
});

export const serviceAccount = message('ServiceAccount', {
  1: f('metadata', { message: objectMeta }),
  2: f('secrets', { message: objectReference }, true),
  3: f('imagePullSecrets', { message: localObjectReference }, true),
  4: f('automountServiceAccountToken', 'bool', false, true),
});

const labelSelector = message('LabelSelector', {
  1: f('matchLabels', stringMap),
  2: f('matchExpressions', { message: message('LabelSelectorRequirement', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', true) }) }, true),
});

const containerPort = message('ContainerPort', {
  1: f('name', 'string'),
  2: f('hostPort', 'int32'),
  3: f('containerPort', 'int32'),
  4: f('protocol', 'string'),
  5: f('hostIP', 'string'),
});

const envVar = message('EnvVar', { 1: f('name', 'string'), 2: f('value', 'string') });

const resourceRequirements = message('ResourceRequirements', {
  1: f('limits', { map: { key: 'string', value: { message: message('Quantity', { 1: f('string', 'string') }) } } }),
  2: f('requests', { map: { key: 'string', value: { message: message('Quantity', { 1: f('string', 'string') }) } } }),
});

const volumeMount = message('VolumeMount', { 1: f('name', 'string'), 2: f('readOnly', 'bool'), 3: f('mountPath', 'string'), 4: f('subPath', 'string') });

const container = message('Container', {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', 'string', true),
  4: f('args', 'string', true),
  5: f('workingDir', 'string'),
  6: f('ports', { message: containerPort }, true),
  7: f('env', { message: envVar }, true),
  8: f('resources', { message: resourceRequirements }),
  9: f('volumeMounts', { message: volumeMount }, true),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  20: f('terminationMessagePolicy', 'string'),
});

const podSpec = message('PodSpec', {
  2: f('containers', { message: container }, true),
  3: f('restartPolicy', 'string'),
  4: f('terminationGracePeriodSeconds', 'int64'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', stringMap),
  8: f('serviceAccountName', 'string'),
  10: f('nodeName', 'string'),
  20: f('initContainers', { message: container }, true),
});

const podTemplateSpec = message('PodTemplateSpec', { 1: f('metadata', { message: objectMeta }), 2: f('spec', { message: podSpec }) });

const deploymentStrategy = message('DeploymentStrategy', {
  1: f('type', 'string'),
  2: f('rollingUpdate', { message: message('RollingUpdateDeployment', { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') }) }),
});

export const deployment = message('Deployment', {
  1: f('metadata', { message: objectMeta }),
  2: f(
    'spec',
    {
      message: message('DeploymentSpec', {
        1: f('replicas', 'int32', false, true),
        2: f('selector', { message: labelSelector }),
        3: f('template', { message: podTemplateSpec }),
        4: f('strategy', { message: deploymentStrategy }),
        5: f('minReadySeconds', 'int32'),
        6: f('revisionHistoryLimit', 'int32'),
        7: f('paused', 'bool'),
        9: f('progressDeadlineSeconds', 'int32'),
      }),
    },
  ),
  3: f('status', { message: message('DeploymentStatus', {}) }),
});

const servicePort = message('ServicePort', {
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  3: f('port', 'int32'),
  4: f('targetPort', 'intOrString'),
  5: f('nodePort', 'int32'),
  6: f('appProtocol', 'string'),
});

export const service = message('Service', {
  1: f('metadata', { message: objectMeta }),
  2: f(
    'spec',
    {
      message: message('ServiceSpec', {
        1: f('ports', { message: servicePort }, true),
        2: f('selector', stringMap),
        3: f('clusterIP', 'string'),
        4: f('type', 'string'),
        5: f('externalIPs', 'string', true),
        7: f('sessionAffinity', 'string'),
        8: f('loadBalancerIP', 'string'),
        10: f('externalName', 'string'),
        11: f('externalTrafficPolicy', 'string'),
        18: f('clusterIPs', 'string', true),
      }),
    },
  ),
  3: f(
    'status',
    {
      message: message('ServiceStatus', {
        1: f('loadBalancer', { message: message('LoadBalancerStatus', { 1: f('ingress', { message: message('LoadBalancerIngress', { 1: f('ip', 'string'), 2: f('hostname', 'string'), 3: f('ipMode', 'string') }) }, true) }) }),
      }),
    },
  ),
});

/** Decodable kinds by `apiVersion kind`. */
export const messagesByKind: Record<string, MessageDescriptor> = {
  'v1 Secret': secret,
  'v1 ConfigMap': configMap,
  'v1 Namespace': namespace,
  'v1 ServiceAccount': serviceAccount,
  'v1 Service': service,
  'apps/v1 Deployment': deployment,
};
