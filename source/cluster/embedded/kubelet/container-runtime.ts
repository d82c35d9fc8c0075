// One container of a pod as a child process: spawn, readiness, restart with
// a bounded backoff after a crash (CrashLoopBackOff), graceful stop.
import fs from 'node:fs';
import { LOG_CHECK_INTERVAL_MS, rotatePodLog } from './pod-logs.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { checkReadiness, probesContinuously, type ProbeTarget, type ProbedContainer } from './readiness.js';
import type { PidRegistry } from './pid-registry.js';

export interface ContainerState {
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  terminated?: { exitCode: number; reason: string; signal?: number; startedAt?: string; finishedAt: string; message?: string };
}

export interface Launch {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface ContainerRuntimeOptions {
  podKey: string;
  cliPath: string;
  logFile: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  probeTarget: ProbeTarget;
  registry: PidRegistry;
  onChange: () => void;
  log: (line: string) => void;
  /** Records an Event on the pod. */
  event?: (type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 10_000;
/** A container that ran this long without crashing starts its backoff afresh. */
const BACKOFF_RESET_AFTER_MS = 30_000;
const FAST_PROBE_MS = 50;
const FAST_PROBE_WINDOW_MS = 10_000;
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

export class ContainerRuntime {
  restartCount = 0;
  ready = false;
  started = false;
  state: ContainerState;
  lastState: ContainerState = {};
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private stopping = false;
  private probeGeneration = 0;
  private restartTimer?: NodeJS.Timeout;
  private consecutiveCrashes = 0;
  private spawnedAt = 0;

  constructor(
    readonly spec: ProbedContainer & { image?: string },
    private launch: Launch | undefined,
    private readonly options: ContainerRuntimeOptions,
    initialWaiting: { reason: string; message?: string } = { reason: 'ContainerCreating' },
  ) {
    this.state = { waiting: initialWaiting };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!this.launch || this.stopping || this.child) return;
    this.spawn();
  }

  private spawn(): void {
    const launch = this.launch!;
    const { cliPath, logFile, registry, podKey } = this.options;
    let fd: number | undefined;
    try {
      fd = fs.openSync(logFile, 'a', 0o644);
      const child = spawn(process.execPath, [cliPath, ...launch.argv], { cwd: launch.cwd, env: launch.env, stdio: ['ignore', fd, fd] });
      this.child = child;
      this.spawnedAt = Date.now();
      const startedAt = new Date().toISOString();
      this.state = { running: { startedAt } };
      this.started = true;
      this.ready = false;
      if (child.pid) registry.add(child.pid, { pod: podKey, container: this.spec.name, startedAt });
      this.exited = new Promise((resolve) => {
        let settled = false;
        const finish = (code: number | null, signal: NodeJS.Signals | null, message?: string) => {
          if (settled) return;
          settled = true;
          if (child.pid) registry.remove(child.pid);
          this.onExit(code, signal, startedAt, message);
          resolve();
        };
        // Bounded logs, as the kubelet's containerLogMaxSize: checked while the container runs.
      const logCheck = setInterval(() => {
        try {
          rotatePodLog(logFile);
        } catch { /* a failed rotation is retried at the next check */ }
      }, LOG_CHECK_INTERVAL_MS);
      logCheck.unref();
      child.once('exit', () => clearInterval(logCheck));
      child.once('error', () => clearInterval(logCheck));
      child.once('exit', (code, signal) => finish(code, signal));
        child.once('error', (error) => finish(128, null, error.message));
      });
      this.options.event?.('Normal', 'Pulled', `Container image "${this.spec.image ?? ''}" already present on machine`);
      this.options.event?.('Normal', 'Created', `Created container: ${this.spec.name}`);
      this.options.event?.('Normal', 'Started', `Started container ${this.spec.name}`);
      this.options.onChange();
      this.probe();
    } catch (error) {
      this.state = { waiting: { reason: 'RunContainerError', message: error instanceof Error ? error.message : String(error) } };
      this.options.onChange();
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, startedAt: string, message?: string): void {
    this.child = undefined;
    this.ready = false;
    this.probeGeneration++;
    const exitCode = code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 1);
    const terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      ...(signal ? { signal: SIGNALS[signal] ?? 0 } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
      ...(message ? { message } : {}),
    };
    if (this.stopping) {
      this.state = { terminated };
      this.options.onChange();
      return;
    }
    this.options.log(`kubelet: ${this.options.podKey}/${this.spec.name} exited with code ${exitCode}${signal ? ` (${signal})` : ''}`);
    const policy = this.options.restartPolicy;
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      this.state = { terminated };
      this.options.onChange();
      return;
    }
    if (Date.now() - this.spawnedAt > BACKOFF_RESET_AFTER_MS) this.consecutiveCrashes = 0;
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** this.consecutiveCrashes, BACKOFF_MAX_MS);
    this.consecutiveCrashes++;
    this.lastState = { terminated };
    this.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name} pod=${this.options.podKey}` } };
    this.options.event?.('Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name} in pod ${this.options.podKey.split('/')[1]}`);
    this.options.onChange();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restartCount++;
      this.spawn();
    }, delay);
  }

  /** Probes until ready; keeps probing afterwards only for an explicit readinessProbe. */
  private probe(): void {
    const generation = ++this.probeGeneration;
    const probe = this.spec.readinessProbe;
    const continuous = probesContinuously(this.spec);
    const periodMs = Math.min(Math.max((probe?.periodSeconds ?? 10) * 1000, 1000), 5000);
    let delayMs = Math.min((probe?.initialDelaySeconds ?? 0) * 1000, 5000) || FAST_PROBE_MS;
    const startedProbing = Date.now();
    const tick = async () => {
      if (generation !== this.probeGeneration || this.stopping || !this.child) return;
      let ok = false;
      try {
        ok = await checkReadiness(this.spec, this.options.probeTarget);
      } catch (error) {
        this.options.log(`kubelet: ${this.options.podKey}/${this.spec.name}: readiness: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (generation !== this.probeGeneration || !this.child) return;
      if (ok !== this.ready) {
        this.ready = ok;
        this.options.onChange();
      }
      if (ok && !continuous) return;
      // Until ready, poll briskly for the first seconds (start-up is when someone waits), then slower.
      delayMs = ok ? periodMs : Date.now() - startedProbing < FAST_PROBE_WINDOW_MS ? FAST_PROBE_MS : 1000;
      setTimeout(tick, delayMs).unref();
    };
    setTimeout(tick, delayMs).unref();
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.probeGeneration++;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || !this.exited) return;
    this.options.event?.('Normal', 'Killing', `Stopping container ${this.spec.name}`);
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(killTimer);
  }

  containerStatus(): Record<string, unknown> {
    return {
      name: this.spec.name,
      image: this.spec.image ?? '',
      imageID: '',
      ...(this.child?.pid ? { containerID: `agw-workshop://${this.child.pid}` } : {}),
      ready: this.ready,
      started: Boolean(this.state.running),
      restartCount: this.restartCount,
      state: this.state,
      lastState: this.lastState,
    };
  }
}
