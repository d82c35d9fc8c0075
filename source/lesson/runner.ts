// The lesson runner: turns a lesson's steps into RunnerEvents. Renderers
// (TUI, headless lines, --json, markdown report) only listen.
//   - resumes from the first unfinished step; a finished lesson runs again from the start (steps are idempotent)
//   - progress and the journal are saved atomically after/before each action
//   - an aborted signal (Ctrl-C) stops at once, saves state, ends with `interrupted`
import fs from 'node:fs';
import path from 'node:path';
import { createClusterClient, type ClusterClient } from '../cluster/client.js';
import { homePaths } from '../state/home.js';
import { clusterIdentity, ensureCluster, kubectlPrefix, resolveTarget, type ClusterTarget } from './cluster-target.js';
import type { StepContext, StepExecutor, StepResult } from './context.js';
import { EventHub, type Listener } from './event-hub.js';
import type { RunnerEvent } from './events.js';
import { loadLesson } from './load.js';
import { LessonState, type StepObservation } from './state.js';
import { summarizeLesson } from './summary.js';
import { runCerts } from './steps/certs.js';
import { runApply, runDelete, runRestore, runSecret } from './steps/objects.js';
import { runProbe } from './steps/probe.js';
import { runWait } from './steps/wait.js';
import { runRestart } from './steps/restart.js';
import { runTokens } from './steps/tokens.js';
import type { Lesson, Step, StepKind } from './types.js';
import { VariableResolver } from './variables-resolver.js';

export type RunStatus = 'ok' | 'failed' | 'interrupted';

export interface RunnerOptions {
  lessonId: string;
  /** First step to run (0-based); default: the first unfinished one. */
  fromStep?: number;
  /** Stop before this step (0-based, exclusive); default: run to the end. */
  toStep?: number;
  /** No confirmation wanted (the runner never prompts; commands and the TUI ask). */
  yes?: boolean;
  signal?: AbortSignal;
  /** Where certificates go; default $AGW_WORKSHOP_HOME/work/<lesson>. */
  workDir?: string;
  kubeconfig?: string;
  context?: string;
  /** Override the lesson's namespace (one namespace per learner on a shared cluster). */
  namespace?: string;
  home?: string;
  /** Package root holding lessons/ and manifests/ (tests use their own). */
  root?: string;
  /** Run prerequisite lessons that are not completed first (headless default). */
  runPrerequisites?: boolean;
  /** Test seam: how to reach the cluster. */
  clientFactory?: (target: ClusterTarget) => ClusterClient;
  /** Test seam: skip starting the embedded cluster (the factory's client is used as is). */
  skipClusterStart?: boolean;
}

export interface LessonRunner {
  readonly events: AsyncIterable<RunnerEvent>;
  on(listener: Listener): () => void;
  run(): Promise<RunStatus>;
}

const EXECUTORS: Record<StepKind, StepExecutor> = {
  explain: async () => ({ ok: true }),
  cluster: async (ctx) => {
    if (ctx.target.embedded) ctx.command('shell', 'agw-workshop cluster up');
    const client = await ctx.client();
    ctx.output(`cluster: ${client.server} (${ctx.target.embedded ? 'embedded' : `context ${client.context}`}), Kubernetes ${await client.version()}`);
    if (ctx.target.embedded) ctx.command('kubectl', `${ctx.kubectl} get nodes,svc -A`);
    return { ok: true };
  },
  certs: runCerts,
  apply: runApply,
  delete: runDelete,
  restore: runRestore,
  secret: runSecret,
  wait: runWait,
  restart: runRestart,
  probe: runProbe,
  tokens: runTokens,
};

/** Steps whose failure leaves later steps without what they need: the run stops there. Probes don't change anything. */
function stopsOnFailure(step: Step): boolean {
  return step.kind !== 'probe';
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error as Error)?.name === 'AbortError';
}

export interface RunEnvironment {
  lesson: Lesson;
  state: LessonState;
  target: ClusterTarget;
  workDir: string;
  signal: AbortSignal;
  emit(event: RunnerEvent): void;
  client(): Promise<ClusterClient>;
  resolver: VariableResolver;
}

/** Everything steps of one lesson share during a run (also used by cleanup and the playground). */
export async function prepareEnvironment(options: RunnerOptions, emit: (event: RunnerEvent) => void, signal: AbortSignal): Promise<RunEnvironment> {
  const lesson = await loadLesson(options.lessonId, options.root);
  const target = resolveTarget({ kubeconfig: options.kubeconfig, context: options.context, home: options.home });
  const state = await LessonState.open(lesson.id, options.home);
  const workDir = options.workDir ?? path.join(homePaths(options.home).work, lesson.id);
  const makeClient = () => (options.clientFactory ?? ((t: ClusterTarget) => createClusterClient({ kubeconfig: t.kubeconfig, context: t.context })))(target);
  let clientPromise: Promise<ClusterClient> | undefined;
  let progressIndex = 0;
  let startingSince: number | undefined;
  const client = () => {
    clientPromise ??= (options.skipClusterStart
      ? Promise.resolve(makeClient())
      : ensureCluster(
          target,
          makeClient,
          (line) => emit({ type: 'progress', lessonId: lesson.id, index: progressIndex, message: line }),
          signal,
          () => {
            startingSince = Date.now();
            emit({ type: 'cluster-start', lessonId: lesson.id, phase: 'starting' });
          },
        )
    ).then(async (reached) => {
      if (startingSince !== undefined) emit({ type: 'cluster-start', lessonId: lesson.id, phase: 'ready', ms: Date.now() - startingSince });
      // The state belongs to one cluster: reaching another (reset, recreated) forgets what it said about the old one.
      const identity = await clusterIdentity(reached, target);
      const previous = identity ? await state.bindCluster(identity) : undefined;
      if (previous) {
        emit({ type: 'progress', lessonId: lesson.id, index: progressIndex, message: `this lesson's progress and journal were about another cluster (kube-system uid ${previous.uid} at ${previous.server}, now ${identity!.uid}): starting over on this one` });
      }
      return reached;
    }).catch((error) => {
      clientPromise = undefined;
      throw error;
    });
    return clientPromise;
  };
  const resolver = new VariableResolver({
    namespace: options.namespace ?? lesson.namespace,
    workDir,
    gatewayName: lesson.gateway,
    client,
    signal,
    progress: (message) => emit({ type: 'progress', lessonId: lesson.id, index: progressIndex, message }),
  });
  return {
    lesson,
    state,
    target,
    workDir,
    signal,
    emit: (event) => {
      if ('index' in event) progressIndex = event.index;
      emit(event);
    },
    client,
    resolver,
  };
}

export function stepContext(env: RunEnvironment, step: Step, index: number, extra: Partial<StepContext> = {}): StepContext {
  const { lesson } = env;
  return {
    lesson,
    step,
    index,
    state: env.state,
    workDir: env.workDir,
    target: env.target,
    signal: env.signal,
    kubectl: kubectlPrefix(env.target),
    emit: env.emit,
    progress: (message) => env.emit({ type: 'progress', lessonId: lesson.id, index, message }),
    command: (tool, command) => env.emit({ type: 'command', lessonId: lesson.id, index, tool, command }),
    output: (text) => env.emit({ type: 'output', lessonId: lesson.id, index, text }),
    client: env.client,
    fill: (text, where) => env.resolver.fill(text, where),
    ...extra,
  };
}

export async function executeStep(env: RunEnvironment, ctx: StepContext): Promise<StepResult> {
  try {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('interrupted');
    return await EXECUTORS[ctx.step.kind](ctx);
  } finally {
    // A step that changed objects may have moved the Gateway's address: look it up again when next needed.
    if (ctx.step.kind === 'apply' || ctx.step.kind === 'restore' || ctx.step.kind === 'delete') env.resolver.invalidate();
  }
}

export function createRunner(options: RunnerOptions): LessonRunner {
  const hub = new EventHub();
  let started = false;
  return {
    events: hub.iterate(),
    on: (listener) => hub.on(listener),
    run: async () => {
      if (started) throw new Error('a runner runs once; create another');
      started = true;
      try {
        return await runLesson(options, hub, new Set());
      } finally {
        hub.close();
      }
    },
  };
}

/** A lesson completed on this cluster (completion recorded on another cluster does not count). */
async function completedHere(lessonId: string, env: RunEnvironment, home: string | undefined): Promise<boolean> {
  const state = await LessonState.open(lessonId, home);
  if (state.status !== 'completed') return false;
  const identity = await clusterIdentity(await env.client(), env.target);
  return !identity || !state.cluster || state.cluster.uid === identity.uid;
}

async function runPrerequisites(env: RunEnvironment, options: RunnerOptions, hub: EventHub, seen: Set<string>): Promise<RunStatus> {
  for (const prerequisite of env.lesson.prerequisites) {
    if (seen.has(prerequisite)) continue;
    if (await completedHere(prerequisite, env, options.home)) continue;
    hub.emit({ type: 'prerequisite', lessonId: env.lesson.id, prerequisite, reason: 'it is not completed on this cluster' });
    const status = await runLesson({ ...options, lessonId: prerequisite, fromStep: undefined, toStep: undefined }, hub, seen);
    if (status !== 'ok') return status;
  }
  return 'ok';
}

/** The first of the steps before `end` whose journaled objects or files no longer exist, if any. */
async function firstStepWithLostEffect(env: Awaited<ReturnType<typeof prepareEnvironment>>, end: number): Promise<number | undefined> {
  const { lesson, state } = env;
  for (let index = 0; index < end; index++) {
    const entries = state.entries.filter((e) => e.stepId === lesson.steps[index]!.id);
    for (const entry of entries) {
      const present = entry.type === 'object' ? Boolean(await (await env.client()).get(entry.object)) : fs.existsSync(entry.path);
      if (!present) return index;
    }
  }
  return undefined;
}

async function runLesson(options: RunnerOptions, hub: EventHub, seen: Set<string>): Promise<RunStatus> {
  let started = Date.now();
  const signal = options.signal ?? new AbortController().signal;
  seen.add(options.lessonId);
  const env = await prepareEnvironment(options, (event) => hub.emit(event), signal);
  const { lesson, state } = env;
  if (options.runPrerequisites) {
    const status = await runPrerequisites(env, options, hub, seen);
    if (status !== 'ok') {
      hub.emit({ type: 'lesson-end', lessonId: lesson.id, status: status === 'interrupted' ? 'interrupted' : 'failed', ms: Date.now() - started, failedSteps: [] });
      return status;
    }
  }
  started = Date.now(); // this lesson's own time, not its prerequisites'
  // Where to resume depends on which cluster this is: progress about another one does not count.
  if (state.describesCluster) await env.client();
  const count = lesson.steps.length;
  let firstUnfinished = lesson.steps.findIndex((s) => !state.completedSteps.includes(s.id));
  // Resume re-checks what the steps it would skip left behind: a step recorded done whose object or file is gone runs again.
  if (options.fromStep === undefined && state.status !== 'completed' && firstUnfinished !== 0) {
    const lost = await firstStepWithLostEffect(env, firstUnfinished < 0 ? count : firstUnfinished);
    if (lost !== undefined) firstUnfinished = lost;
  }
  const from = Math.max(0, Math.min(options.fromStep ?? (state.status === 'completed' || firstUnfinished < 0 ? 0 : firstUnfinished), count));
  const to = Math.max(from, Math.min(options.toStep ?? count, count));
  const failedSteps: number[] = [];
  let interrupted = false;
  // The probe's verdict of each step, saved with its completion for the end-of-lesson summary.
  const observed = new Map<number, StepObservation>();
  const stopObserving = hub.on((event) => {
    if (event.type === 'probe-result' && event.lessonId === lesson.id) {
      observed.set(event.index, { ok: event.ok, verdicts: event.verdicts, ...(event.explanation ? { explanation: event.explanation.title } : {}), by: 'workshop' });
    }
  });
  env.emit({ type: 'lesson-start', lessonId: lesson.id, title: lesson.title, stepCount: count, fromStep: from });
  await state.setStatus('in-progress');

  for (let index = from; index < to; index++) {
    if (signal.aborted) {
      interrupted = true;
      break;
    }
    const step = lesson.steps[index]!;
    const stepStarted = Date.now();
    env.emit({ type: 'step-start', lessonId: lesson.id, index, stepId: step.id, kind: step.kind, title: step.title });
    let result: StepResult;
    try {
      result = await executeStep(env, stepContext(env, step, index));
    } catch (error) {
      if (isAbort(error, signal)) {
        interrupted = true;
        env.emit({ type: 'step-end', lessonId: lesson.id, index, status: 'interrupted', ms: Date.now() - stepStarted });
        break;
      }
      result = { ok: false, error: (error as Error).message ?? String(error) };
    }
    await state.stepFinished(step.id, result.ok, 'workshop', observed.get(index));
    env.emit({ type: 'step-end', lessonId: lesson.id, index, status: result.ok ? 'ok' : 'failed', ms: Date.now() - stepStarted, ...(result.error ? { error: result.error } : {}) });
    if (!result.ok) {
      failedSteps.push(index);
      if (stopsOnFailure(step)) break;
    }
  }

  const status: RunStatus = interrupted ? 'interrupted' : failedSteps.length ? 'failed' : 'ok';
  const allDone = lesson.steps.every((s) => state.completedSteps.includes(s.id));
  stopObserving();
  await state.setStatus(status === 'interrupted' ? 'interrupted' : status === 'failed' ? 'failed' : allDone ? 'completed' : 'in-progress');
  if (status === 'ok' && allDone) {
    try {
      env.emit({ type: 'lesson-summary', lessonId: lesson.id, summary: await summarizeLesson(lesson.id, { home: options.home, root: options.root }) });
    } catch (error) {
      // The lesson is done either way; a summary that cannot be built (another lesson's unreadable state) is said, not fatal.
      env.emit({ type: 'progress', lessonId: lesson.id, index: count - 1, message: `no end-of-lesson summary: ${(error as Error).message}` });
    }
  }
  env.emit({ type: 'lesson-end', lessonId: lesson.id, status, ms: Date.now() - started, failedSteps });
  return status;
}
