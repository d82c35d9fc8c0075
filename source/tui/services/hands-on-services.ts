// The live side of hands-on mode: checks by effect (source/lesson/check),
// watches of the cluster (watch API), the gateway's access log (followed pod
// logs) and the work directory (fs.watch), the real tools through execa, and
// the clipboard through OSC 52. Heavy modules load on first use.
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeResult } from '../../probe/types.js';
import { homePaths } from '../../state/home.js';
import { plural } from '../../common/plural.js';
import type { StepCommand } from '../../lesson/step-commands.js';
import type { HandsOnServices, PredictionVerdictView, StepCheckView, ToolRunView, WatchSource } from '../hands-on/model.js';

export interface HandsOnLiveOptions {
  kubeconfig?: string;
  context?: string;
  home?: string;
  /** Where clipboard escapes go (the TUI's terminal). */
  terminal?: NodeJS.WriteStream;
}

const OUTPUT_LIMIT = 16_000;
const TOOL_TIMEOUT_MS = 60_000;
const INSTALL_HINTS: Record<string, string> = {
  curl: 'Debian/Ubuntu: sudo apt-get install -y curl · macOS: brew install curl',
  openssl: 'Debian/Ubuntu: sudo apt-get install -y openssl · macOS: brew install openssl',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/ (or: brew install kubectl)',
};

/** The tools a shell command line starts (the first word of each command in it). */
export function toolsIn(commands: StepCommand[]): string[] {
  const tools = new Set<string>();
  for (const { tool } of commands) if (tool !== 'shell') tools.add(tool);
  return [...tools];
}

/** OSC 52: the terminal puts the text on the clipboard (base64, BEL-terminated); tmux passes it on with set-clipboard. */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

function bounded(text: string): string {
  return text.length > OUTPUT_LIMIT ? `${text.slice(0, OUTPUT_LIMIT)}\n… (${text.length - OUTPUT_LIMIT} more characters)` : text;
}

export function createHandsOnServices(options: HandsOnLiveOptions = {}): HandsOnServices {
  const target = { kubeconfig: options.kubeconfig, context: options.context, home: options.home };
  const workDirOf = (lessonId: string) => path.join(homePaths(options.home).work, lessonId);

  async function environment(lessonId: string, since?: number) {
    const { createCheckEnvironment } = await import('../../lesson/check/index.js');
    return createCheckEnvironment({ lessonId, ...target, certificateDirs: [process.cwd()], ...(since !== undefined ? { since } : {}) });
  }

  return {
    async steps(lessonId) {
      const { loadLesson } = await import('../../lesson/load.js');
      const lesson = await loadLesson(lessonId);
      return lesson.steps.map((s) => ({
        hints: s.hints ?? [],
        ...(s.kind === 'probe' && s.predict ? { predict: { question: s.predict.question, choices: s.predict.choices.map((c) => c.text) } } : {}),
      }));
    },

    async check(lessonId, since) {
      const { checkSteps } = await import('../../lesson/check/index.js');
      const env = await environment(lessonId, since);
      return (await checkSteps(env)) as StepCheckView[];
    },

    watch(lessonId, onChange) {
      const stops: (() => void)[] = [];
      let stopped = false;
      const say = (source: WatchSource, detail: string) => {
        if (!stopped) onChange(source, detail);
      };
      // The work directory: certificates the shown openssl commands write.
      const workDir = workDirOf(lessonId);
      try {
        fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
        const watcher = fs.watch(workDir, (_event, file) => say('files', String(file ?? '')));
        watcher.on('error', () => undefined);
        stops.push(() => watcher.close());
      } catch {
        // no watch on this platform or directory: the other sources still tick the steps
      }
      void (async () => {
        const [{ ClusterObserver, resourcePath }, { loadLesson }, { resolveTarget }] = await Promise.all([
          import('../../cluster/observe.js'),
          import('../../lesson/load.js'),
          import('../../lesson/cluster-target.js'),
        ]);
        const lesson = await loadLesson(lessonId);
        const resolved = resolveTarget(target);
        const observer = new ClusterObserver({ kubeconfig: resolved.kubeconfig, context: resolved.context });
        const namespace = lesson.namespace;
        const kinds = new Map<string, string>();
        const { parseManifest } = await import('../../lesson/manifests.js');
        for (const step of lesson.steps) {
          if ((step.kind === 'apply' || step.kind === 'restore' || step.kind === 'delete') && step.yaml) {
            for (const o of parseManifest(step.yaml.replaceAll('${NAMESPACE}', namespace), step.source, namespace)) kinds.set(`${o.apiVersion}|${o.kind}`, resourcePath(o.apiVersion, o.kind, namespace));
          }
          if (step.kind === 'wait') kinds.set(`${step.object.apiVersion}|${step.object.kind}`, resourcePath(step.object.apiVersion, step.object.kind, namespace));
          if (step.kind === 'secret') kinds.set('v1|Secret', resourcePath('v1', 'Secret', namespace));
        }
        // Bounded restarts: a watch the server ends (timeout, restart) is opened again, at most this often.
        const startWatch = async (what: string, open: () => Promise<() => void>, restartsLeft: number): Promise<void> => {
          if (stopped) return;
          try {
            stops.push(await open());
          } catch (error) {
            if (restartsLeft > 0) setTimeout(() => void startWatch(what, open, restartsLeft - 1), 1000).unref();
          }
        };
        for (const [key, resource] of kinds) {
          const open = (): Promise<() => void> =>
            observer.watch(resource, (type, object) => say('cluster', `${type} ${key.split('|')[1]} ${(object as { metadata?: { name?: string } })?.metadata?.name ?? ''}`), () => {
              if (!stopped) setTimeout(() => void startWatch(key, open, 20), 1000).unref();
            });
          await startWatch(key, open, 20);
        }
        // The gateway's connection events: the access log of each proxy pod, followed.
        const following = new Set<string>();
        const follow = async (pod: string) => {
          if (following.has(pod) || stopped) return;
          following.add(pod);
          try {
            stops.push(await observer.followPodLog(namespace, pod, (line) => say('gateway', line), () => following.delete(pod)));
          } catch {
            following.delete(pod);
          }
        };
        const selector = 'gateway.networking.k8s.io/gateway-name=agentgateway-proxy';
        const openPods = (): Promise<() => void> =>
          observer.watch(`${resourcePath('v1', 'Pod', namespace)}?labelSelector=${encodeURIComponent(selector)}`, (type, object) => {
            const name = (object as { metadata?: { name?: string } })?.metadata?.name;
            if (name && type !== 'DELETED') void follow(name);
          }, () => {
            if (!stopped) setTimeout(() => void startWatch('pods', openPods, 20), 1000).unref();
          });
        await startWatch('pods', openPods, 20);
      })().catch(() => undefined);
      return () => {
        stopped = true;
        for (const stop of stops.splice(0)) {
          try {
            stop();
          } catch {
            // already ended
          }
        }
      };
    },

    async runTool(commands) {
      const { execa } = await import('execa');
      const started = Date.now();
      const command = commands.map((c) => c.command).join('\n');
      for (const tool of toolsIn(commands)) {
        const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
        if (found.exitCode !== 0) return { command, tool: tool as ToolRunView['tool'], missing: { tool, hint: INSTALL_HINTS[tool] ?? `install ${tool}` }, stdout: '', stderr: '', ms: Date.now() - started };
      }
      const { cliPath } = await import('../../lesson/cluster-target.js');
      // The shown commands call `agw-workshop` (e.g. for the kubeconfig); it may not be on PATH: a function stands in.
      const script = `agw-workshop() { "${process.execPath}" "${cliPath()}" "$@"; }\nset -e\n${command}`;
      const result = await execa('bash', ['-c', script], { reject: false, timeout: TOOL_TIMEOUT_MS, env: options.home ? { AGW_WORKSHOP_HOME: options.home } : {}, stdin: 'ignore' });
      return {
        command,
        tool: commands.at(-1)?.tool ?? 'shell',
        exitCode: result.exitCode ?? (result.timedOut ? 124 : 1),
        stdout: bounded(String(result.stdout ?? '')),
        stderr: bounded(String(result.stderr ?? '')),
        ms: Date.now() - started,
      };
    },

    async judgePrediction(lessonId, stepIndex, answer, since, probe?: ProbeResult): Promise<PredictionVerdictView | undefined> {
      const [{ judgePrediction }, { latestObservation }] = await Promise.all([import('../../lesson/check/prediction.js'), import('../../lesson/check/index.js')]);
      const env = await environment(lessonId, since);
      const step = env.lesson.steps[stepIndex];
      if (!step || step.kind !== 'probe' || !step.predict) return undefined;
      if (probe) return judgePrediction(step.predict, answer, { from: 'probe', result: probe });
      const seen = await latestObservation(env, step);
      return seen ? judgePrediction(step.predict, answer, { from: 'gateway', ...seen }) : undefined;
    },

    async cleanup(lessonId) {
      const [{ adoptHandMadeObjects }, { cleanupLesson }] = await Promise.all([import('../../lesson/check/adopt.js'), import('../../lesson/cleanup.js')]);
      const adopted = await adoptHandMadeObjects({ lessonId, ...target });
      let failures = 0;
      const status = await cleanupLesson(lessonId, (e) => {
        if (e.type === 'step-end' && e.status !== 'ok') failures++;
      }, target);
      return `cleanup ${status}${adopted ? ` (including ${plural(adopted, 'object')} you made by hand)` : ''}${failures ? `, ${plural(failures, 'step')} failed` : ''}`;
    },

    copy(text) {
      (options.terminal ?? process.stdout).write(osc52(text));
    },

    async finish(lessonId, checks) {
      const [{ loadLesson }, { LessonState }, { summarizeLesson }] = await Promise.all([
        import('../../lesson/load.js'),
        import('../../lesson/state.js'),
        import('../../lesson/summary.js'),
      ]);
      const lesson = await loadLesson(lessonId);
      const state = await LessonState.open(lessonId, options.home);
      for (const check of checks) {
        const step = lesson.steps[check.index];
        if (!step || !check.holds || state.completedSteps.includes(step.id)) continue;
        // A probe step done by hand: what the gateway's access log saw of the learner's own request.
        const seen = step.kind === 'probe' ? check.findings.filter((f) => f.subject === 'the gateway' && f.expected !== undefined) : [];
        const observation = seen.length
          ? { ok: seen.every((f) => f.ok), verdicts: seen.map((f) => ({ field: f.subject, expected: f.expected ?? '', observed: f.observed ?? f.message, ok: f.ok })), by: 'learner' as const }
          : undefined;
        await state.stepFinished(step.id, true, 'by-hand', observation);
      }
      if (lesson.steps.every((s) => state.completedSteps.includes(s.id))) await state.setStatus('completed');
      return summarizeLesson(lessonId, { home: options.home });
    },
  };
}
