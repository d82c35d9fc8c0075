// The real outside world for the screens: lessons and their progress
// (source/lesson), the runner's events, the playground's probe re-run, and
// the cluster check. Heavy modules (the runner, client-node, the probe) are
// imported when first needed, so the home screen's first frame stays fast.
import path from 'node:path';
import type { ProbeEdits } from '../../probe/request-edits.js';
import { homePaths } from '../../state/home.js';
import type { ClusterStatus, LessonSummary, LessonView, ProbeVerdict, RunHandle, RunOptions, WorkshopServices } from '../model.js';
import { checkCluster, notStarted } from './cluster-status.js';
import { toLessonSummary, toLessonView } from './lesson-view.js';
import { createHandsOnServices } from './hands-on-services.js';

export interface LiveOptions {
  kubeconfig?: string;
  context?: string;
  /** $AGW_WORKSHOP_HOME by default. */
  home?: string;
}

export interface LiveServices extends WorkshopServices {
  /** Stop runs in progress (they save their state and can resume) and wait for them. */
  shutdown(): Promise<void>;
}

export function createLiveServices(options: LiveOptions = {}): LiveServices {
  const target = { kubeconfig: options.kubeconfig, context: options.context, home: options.home };
  const active = new Set<{ abort: AbortController; done: Promise<void> }>();

  async function listLessons(): Promise<LessonSummary[]> {
    // list.js imports load.js and state.js only: listing must not pull in the runner and client-node.
    const { listLessons: listWithProgress } = await import('../../lesson/list.js');
    return (await listWithProgress({ home: options.home })).map(toLessonSummary);
  }

  async function loadLessonView(id: string): Promise<LessonView> {
    const [{ loadLesson }, { LessonState }, { stepCommands }] = await Promise.all([
      import('../../lesson/load.js'),
      import('../../lesson/state.js'),
      import('../../lesson/step-commands.js'),
    ]);
    const lesson = await loadLesson(id);
    const state = await LessonState.open(id, options.home);
    const workDir = path.join(homePaths(options.home).work, lesson.id);
    return toLessonView(lesson, state.completedSteps, {
      workDir,
      namespace: lesson.namespace,
      commands: (step) => stepCommands(lesson, step, { ...target, workDir }),
    });
  }

  async function clusterStatus(): Promise<ClusterStatus> {
    const { resolveTarget } = await import('../../lesson/cluster-target.js');
    const resolved = resolveTarget(target);
    // client-node is heavy to load: an embedded cluster never started is known without it.
    const early = notStarted(resolved);
    if (early) return early;
    const { createClusterClient } = await import('../../cluster/client.js');
    return checkCluster(resolved, () => createClusterClient({ kubeconfig: resolved.kubeconfig, context: resolved.context }));
  }

  async function recentTraces(limit: number) {
    const [{ resolveTarget }, { createClusterClient }, { fetchRecentTraces }] = await Promise.all([import('../../lesson/cluster-target.js'), import('../../cluster/client.js'), import('./traces.js')]);
    const resolved = resolveTarget(target);
    if (notStarted(resolved)) return { traces: [], problem: 'The embedded cluster is not started yet (the setup lesson starts it).' };
    return fetchRecentTraces(resolved, () => (traceClient ??= createClusterClient({ kubeconfig: resolved.kubeconfig, context: resolved.context })), limit);
  }
  let traceClient: import('../../cluster/client.js').ClusterClient | undefined;

  function runLesson(run: RunOptions): RunHandle {
    const abort = new AbortController();
    const done = (async () => {
      const { createRunner } = await import('../../lesson/runner.js');
      const runner = createRunner({
        lessonId: run.lessonId,
        fromStep: run.fromStep,
        // The runner's toStep is exclusive; ours is the last step to run.
        toStep: run.toStep === undefined ? undefined : run.toStep + 1,
        yes: true,
        // As headless runs do: a lesson whose prerequisites are not done runs them first (the screen says so).
        runPrerequisites: true,
        signal: abort.signal,
        ...target,
      });
      runner.on(run.onEvent);
      await runner.run();
    })();
    const entry = { abort, done: done.catch(() => {}) };
    active.add(entry);
    void entry.done.finally(() => active.delete(entry));
    return {
      done,
      stop: async () => {
        abort.abort();
        await entry.done;
      },
    };
  }

  async function probe(lessonId: string, stepIndex: number, edits: ProbeEdits): Promise<ProbeVerdict> {
    const { runProbeStep } = await import('../../lesson/probe-rerun.js');
    const report = await runProbeStep({ lessonId, step: stepIndex, edits, ...target });
    return { result: report.result, verdicts: report.verdicts, explanation: report.explanation, ok: report.ok };
  }

  return {
    listLessons,
    loadLesson: loadLessonView,
    clusterStatus,
    runLesson,
    probe,
    recentTraces,
    handsOn: createHandsOnServices(target),
    async shutdown() {
      for (const entry of active) entry.abort.abort();
      await Promise.all([...active].map((e) => e.done));
    },
  };
}
