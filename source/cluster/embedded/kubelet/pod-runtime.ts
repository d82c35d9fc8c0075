// One pod on this "node": its address, volumes, environment, containers and
// the status a kubelet reports for it.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject, Store } from '../store/store-types.js';
import { ContainerRuntime, type Launch } from './container-runtime.js';
import { imageEnvironment, programFor, refusedCommand, unknownImageMessage } from './images.js';
import { ContainerConfigError, expandReferences, resolveEnv, type ContainerEnvSpec } from './env.js';
import { insidePodDirectory, materializeVolumes, MountError, rewriteMountedPaths, type MountTable } from './volumes.js';
import { formatPortMap, PORT_MAP_ENV } from '../../port-map-annotation.js';
import type { PidRegistry } from './pid-registry.js';
import type { ProbedContainer } from './readiness.js';
import { withCondition, type Condition } from '../controllers/objects.js';
import type { EventSink } from '../controllers/events.js';

/** A custom pod condition (qualified, as readiness-gate conditions are) listing remapped ports. */
export const PORTS_REMAPPED_CONDITION = 'agw-workshop.dev/PortsRemapped';

export interface PodRuntimeDeps {
  store: Store;
  cliPath: string;
  kubeconfigPath: string;
  home: string;
  podLogsDir: string;
  podsDir: string;
  registry: PidRegistry;
  privileged: boolean;
  log: (line: string) => void;
  event?: EventSink;
}

type ContainerSpec = ProbedContainer & ContainerEnvSpec & { image?: string; command?: string[]; args?: string[] };
interface PodSpec { containers?: ContainerSpec[]; restartPolicy?: 'Always' | 'OnFailure' | 'Never'; terminationGracePeriodSeconds?: number }

/** We stop pods faster than a real kubelet: the grace period is capped. */
const MAX_GRACE_MS = 5000;

/** Environment every pod process inherits from the host: enough to run node, nothing about the cluster process. */
function hostEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT', 'AGW_DEBUG'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

/** What a container's environment is made of (see containerEnvironment). */
export interface ContainerEnvironmentInputs {
  store: Store;
  pod: KubeObject;
  container: ContainerEnvSpec;
  podIP: string;
  portMap: Map<number, number>;
  /** This container's mountPath → host path table. */
  mounts: Map<string, string>;
  kubeconfigPath: string;
  home: string;
}

/**
 * The environment the kubelet gives a container's process: host basics, the
 * image's own ENV, the pod's facts, the container's resolved env (mounted
 * paths rewritten), then the workshop's own variables. `containerEnv` is the
 * resolved env alone, for $(VAR) in args. `kubectl exec` runs its command
 * with the same environment.
 */
export function containerEnvironment(inputs: ContainerEnvironmentInputs): { env: Record<string, string>; containerEnv: Record<string, string> } {
  const { pod, podIP, portMap, mounts } = inputs;
  const containerEnv = resolveEnv(inputs.store, pod, inputs.container, podIP);
  const rewrite = (value: string) => rewriteMountedPaths(value, mounts);
  const env: Record<string, string> = {
    ...hostEnv(),
    ...imageEnvironment(inputs.container),
    POD_IP: podIP,
    POD_NAME: pod.metadata.name,
    POD_NAMESPACE: pod.metadata.namespace ?? 'default',
    ...Object.fromEntries(Object.entries(containerEnv).map(([k, v]) => [k, rewrite(v)])),
    KUBECONFIG: inputs.kubeconfigPath,
    AGW_POD_IP: podIP,
    AGW_WORKSHOP_HOME: inputs.home,
    AGW_MOUNTS: JSON.stringify(Object.fromEntries(mounts)),
    ...(portMap.size ? { [PORT_MAP_ENV]: formatPortMap(portMap) } : {}),
  };
  return { env, containerEnv };
}

/** Pods whose containers this process launched, by uid: `kubectl exec`, served in the same process, runs beside them. */
const launchedPods = new Map<string, PodRuntime>();

export class PodRuntime {
  readonly uid: string;
  readonly key: string;
  readonly podDir: string;
  readonly startTime = new Date().toISOString();
  containers: ContainerRuntime[] = [];
  blocked?: { reason: string; message: string };
  /** Set when a Secret or ConfigMap the pod reads changed: volumes are rewritten at the next prepare. */
  configChanged = false;
  private launched = false;
  private mounts: MountTable = new Map();
  private readonly involved: KubeObject;

  constructor(
    pod: KubeObject,
    readonly podIP: string,
    readonly portMap: Map<number, number>,
    private readonly deps: PodRuntimeDeps,
    private readonly onChange: () => void,
  ) {
    this.uid = pod.metadata.uid ?? '';
    this.key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.podDir = path.join(deps.podsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${this.uid.slice(0, 8)}`);

    this.involved = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid } };
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.event?.(this.involved, type, reason, message);
  }

  /** The runtime of a pod whose containers were launched here, if any. */
  static launchedPod(uid: string): PodRuntime | undefined {
    return launchedPods.get(uid);
  }

  /** Names of the Secrets and ConfigMaps the pod reads (volumes and env), to react when they change. */
  static references(pod: KubeObject): Set<string> {
    const out = new Set<string>();
    const spec = (pod.spec ?? {}) as { volumes?: Array<Record<string, any>>; containers?: ContainerSpec[] };
    for (const volume of spec.volumes ?? []) {
      if (volume.secret?.secretName) out.add(`secret/${volume.secret.secretName}`);
      if (volume.configMap?.name) out.add(`configmap/${volume.configMap.name}`);
      for (const source of volume.projected?.sources ?? []) {
        if (source.secret?.name) out.add(`secret/${source.secret.name}`);
        if (source.configMap?.name) out.add(`configmap/${source.configMap.name}`);
      }
    }
    for (const container of spec.containers ?? []) {
      for (const variable of container.env ?? []) {
        if (variable.valueFrom?.secretKeyRef) out.add(`secret/${variable.valueFrom.secretKeyRef.name}`);
        if (variable.valueFrom?.configMapKeyRef) out.add(`configmap/${variable.valueFrom.configMapKeyRef.name}`);
      }
      for (const from of container.envFrom ?? []) {
        if (from.secretRef) out.add(`secret/${from.secretRef.name}`);
        if (from.configMapRef) out.add(`configmap/${from.configMapRef.name}`);
      }
    }
    return out;
  }

  /**
   * Writes volumes, resolves env and starts the containers. A missing Secret
   * or key leaves the pod waiting (ContainerCreating / CreateContainerConfigError);
   * it is retried when the Secret or ConfigMap appears.
   */
  prepare(pod: KubeObject): void {
    if (this.launched) {
      if (this.configChanged) this.refreshVolumes(pod);
      this.configChanged = false;
      return;
    }
    const spec = (pod.spec ?? {}) as PodSpec;
    let launches: Array<Launch | undefined>;
    try {
      const mounts = materializeVolumes(this.deps.store, pod, this.podDir);
      launches = (spec.containers ?? []).map((container) => this.launchFor(pod, container, mounts.get(container.name) ?? new Map()));
      this.mounts = mounts;
      this.blocked = undefined;
    } catch (error) {
      if (error instanceof MountError || error instanceof ContainerConfigError) {
        const reason = error instanceof MountError ? 'ContainerCreating' : 'CreateContainerConfigError';
        if (this.blocked?.message !== error.message) {
          this.deps.log(`kubelet: ${this.key}: ${error.message}`);
          this.event('Warning', error instanceof MountError ? 'FailedMount' : 'Failed', error.message);
        }
        this.blocked = { reason, message: error.message };
        this.containers = (spec.containers ?? []).map((c) => this.container(c, spec, undefined, this.blocked!));
        return;
      }
      throw error;
    }
    this.launched = true;
    launchedPods.set(this.uid, this);
    this.containers = (spec.containers ?? []).map((container, index) => {
      const launch = launches[index];
      const waiting = launch ? undefined : { reason: 'ImageNotKnown', message: unknownImageMessage(container.image ?? '') };
      if (!launch) {
        this.deps.log(`kubelet: ${this.key}/${container.name}: ${waiting!.message}`);
        this.event('Warning', 'ImageNotKnown', waiting!.message);
      }
      return this.container(container, spec, launch, waiting);
    });
    for (const container of this.containers) container.start();
  }

  private container(spec: ContainerSpec, podSpec: PodSpec, launch: Launch | undefined, waiting?: { reason: string; message?: string }): ContainerRuntime {
    return new ContainerRuntime(spec, launch, {
      podKey: this.key,
      cliPath: this.deps.cliPath,
      logFile: path.join(this.deps.podLogsDir, `${this.key.replace('/', '_')}.log`),
      restartPolicy: podSpec.restartPolicy ?? 'Always',
      probeTarget: { host: this.podIP, portMap: this.portMap, privileged: this.deps.privileged },
      registry: this.deps.registry,
      onChange: this.onChange,
      log: this.deps.log,
      event: (type, reason, message) => this.event(type, reason, message),
    }, waiting);
  }

  private launchFor(pod: KubeObject, container: ContainerSpec, mounts: Map<string, string>): Launch | undefined {
    const program = programFor(container);
    if (!program) return undefined;
    const refused = refusedCommand(container);
    if (refused) throw new ContainerConfigError(refused);
    const { env, containerEnv } = this.environmentOf(pod, container, mounts);
    const rewrite = (value: string) => rewriteMountedPaths(value, mounts);
    const argv = program.argv.map((arg) => rewrite(expandReferences(arg, containerEnv)));
    fs.mkdirSync(this.podDir, { recursive: true });
    fs.mkdirSync(this.deps.podLogsDir, { recursive: true });
    return { argv, env, cwd: this.podDir };
  }

  private environmentOf(pod: KubeObject, container: ContainerEnvSpec, mounts: Map<string, string>) {
    const { store, kubeconfigPath, home } = this.deps;
    return containerEnvironment({ store, pod, container, podIP: this.podIP, portMap: this.portMap, mounts, kubeconfigPath, home });
  }

  /**
   * Where `kubectl exec` runs a command beside a container of this pod: with
   * that container's environment, in the pod's directory. Undefined for a
   * container the pod does not have.
   */
  execEnvironment(pod: KubeObject, containerName: string): { env: Record<string, string>; cwd: string } | undefined {
    const container = ((pod.spec ?? {}) as PodSpec).containers?.find((c) => c.name === containerName);
    if (!container) return undefined;
    return { env: this.environmentOf(pod, container, this.mounts.get(containerName) ?? new Map()).env, cwd: this.podDir };
  }

  /** Mounted Secrets and ConfigMaps follow their objects, as a kubelet's periodic sync would. */
  private refreshVolumes(pod: KubeObject): void {
    try {
      materializeVolumes(this.deps.store, pod, this.podDir);
    } catch (error) {
      this.deps.log(`kubelet: ${this.key}: volumes not refreshed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async stop(pod: KubeObject | undefined): Promise<void> {
    const seconds = (pod?.spec as PodSpec | undefined)?.terminationGracePeriodSeconds ?? 30;
    const graceMs = Math.min(seconds * 1000, MAX_GRACE_MS);
    if (launchedPods.get(this.uid) === this) launchedPods.delete(this.uid);
    await Promise.all(this.containers.map((c) => c.stop(graceMs)));
    try {
      fs.rmSync(insidePodDirectory(this.deps.podsDir, this.podDir), { recursive: true, force: true });
    } catch (error) {
      this.deps.log(`kubelet: ${this.key}: pod directory not removed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The pod's status as a kubelet reports it. */
  status(pod: KubeObject): Record<string, unknown> {
    const spec = (pod.spec ?? {}) as PodSpec;
    const previous = ((pod.status ?? {}) as { conditions?: Condition[] }).conditions;
    const statuses = this.containers.map((c) => c.containerStatus());
    const allReady = this.containers.length > 0 && this.containers.every((c) => c.ready);
    const allRunning = this.containers.length > 0 && this.containers.every((c) => c.state.running);
    const everyTerminated = this.containers.length > 0 && this.containers.every((c) => c.state.terminated);
    let phase = 'Pending';
    if (everyTerminated) phase = this.containers.every((c) => c.state.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed';
    else if (allRunning || this.containers.some((c) => c.started)) phase = 'Running';
    if (this.blocked || this.containers.some((c) => c.state.waiting?.reason === 'ImageNotKnown')) phase = 'Pending';

    const notReady = this.containers.filter((c) => !c.ready).map((c) => c.spec.name);
    const readyMessage = notReady.length ? `containers with unready status: [${notReady.join(' ')}]` : undefined;
    let conditions = withCondition(previous, { type: 'PodReadyToStartContainers', status: this.blocked ? 'False' : 'True' });
    conditions = withCondition(conditions, { type: 'Initialized', status: 'True' });
    conditions = withCondition(conditions, { type: 'Ready', status: allReady ? 'True' : 'False', ...(allReady ? {} : { reason: 'ContainersNotReady', message: readyMessage }) });
    conditions = withCondition(conditions, { type: 'ContainersReady', status: allReady ? 'True' : 'False', ...(allReady ? {} : { reason: 'ContainersNotReady', message: readyMessage }) });
    conditions = withCondition(conditions, { type: 'PodScheduled', status: 'True' });
    // Where a declared port is bound elsewhere (pods sharing 127.0.0.1, or below 1024 without root),
    // the pod's status says so, next to the annotation the controllers read.
    if (this.portMap.size) {
      const pairs = [...this.portMap].sort(([a], [b]) => a - b).map(([declared, bound]) => `${declared}→${bound}`).join(', ');
      conditions = withCondition(conditions, { type: PORTS_REMAPPED_CONDITION, status: 'True', reason: 'PortsRemapped', message: `declared container ports are served on ${this.podIP} at other ports: ${pairs}` });
    }
    void spec;
    return {
      phase,
      conditions,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: this.podIP,
      podIPs: [{ ip: this.podIP }],
      startTime: ((pod.status ?? {}) as { startTime?: string }).startTime ?? this.startTime,
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
  }
}
