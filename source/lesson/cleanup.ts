// cleanup: replay a lesson's journal newest first — delete what it created,
// put back what it changed (saved copies) — then run its restore steps.
// Each undone entry is dropped from the journal at once, so cleanup is safe to
// run twice and after a crash (deleting what is already gone is fine).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ClusterClient, KubeObject } from '../cluster/client.js';
import { homePaths } from '../state/home.js';
import { kubectlApply, kubectlDelete } from './equivalents.js';
import type { RunnerEvent } from './events.js';
import { strippedForSave } from './manifests.js';
import { executeStep, prepareEnvironment, stepContext, type RunnerOptions, type RunStatus } from './runner.js';
import type { JournalEntry } from './state.js';
import { stringify } from 'yaml';

export type CleanupOptions = Omit<RunnerOptions, 'lessonId' | 'fromStep' | 'toStep' | 'runPrerequisites'>;

function describeEntry(entry: JournalEntry): string {
  if (entry.type !== 'object') return `remove ${entry.type === 'dir' ? 'directory' : 'file'} ${entry.path}`;
  const o = entry.object;
  return `${entry.existedBefore ? 'restore' : 'delete'} ${o.kind.toLowerCase()}/${o.name}${o.namespace ? ` -n ${o.namespace}` : ''}`;
}

/** JSON with keys sorted at every level, so two equal objects print the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The object is already as saved (ignoring metadata the server manages): nothing to restore. */
function sameContent(current: KubeObject | undefined, saved: Record<string, unknown>): boolean {
  if (!current) return false;
  const { metadata: _current, ...now } = strippedForSave(current);
  const { metadata: _saved, ...before } = saved;
  return canonical(now) === canonical(before);
}

/** `target` is `dir` itself or lies inside it, once links are resolved (as far as the path exists). */
function withinDirectory(dir: string, target: string): 'self' | 'inside' | 'outside' {
  const real = (p: string): string => {
    const missing: string[] = [];
    let probe = path.resolve(p);
    while (!fs.existsSync(probe) && path.dirname(probe) !== probe) {
      missing.unshift(path.basename(probe));
      probe = path.dirname(probe);
    }
    return path.join(fs.realpathSync(probe), ...missing);
  };
  const base = real(dir);
  const resolved = real(target);
  if (resolved === base) return 'self';
  return resolved.startsWith(base + path.sep) ? 'inside' : 'outside';
}

/**
 * Cleanup removes only the lesson's own work directory and what is inside it,
 * whatever the journal says (a journal is a file anyone could have edited).
 * Directories go recursively only when the work directory is the home's;
 * in one the learner chose they are removed only if empty.
 */
async function removePath(entry: Extract<JournalEntry, { type: 'file' | 'dir' }>, workDir: string, inHome: boolean): Promise<string> {
  if (!fs.existsSync(entry.path)) return 'already absent';
  const where = withinDirectory(workDir, entry.path);
  if (where === 'outside') return `kept (outside the lesson's work directory ${workDir})`;
  if (entry.type === 'file' || !fs.lstatSync(entry.path).isDirectory()) {
    await fsp.rm(entry.path, { force: true });
    return 'removed';
  }
  if (inHome) await fsp.rm(entry.path, { recursive: true, force: true });
  else {
    try {
      await fsp.rmdir(entry.path); // only if empty: a directory outside the home may hold the learner's own files
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY') return 'kept (not empty: it holds files the lesson did not create)';
      throw error;
    }
  }
  return 'removed';
}

async function undoObject(entry: Extract<JournalEntry, { type: 'object' }>, client: ClusterClient): Promise<string> {
  if (!entry.existedBefore || !entry.saved) return (await client.delete(entry.object)) === 'deleted' ? 'deleted' : 'already absent';
  const saved = entry.saved as unknown as KubeObject;
  if (sameContent(await client.get(entry.object), entry.saved)) return 'unchanged (as before the lesson)';
  await client.replace(saved);
  return 'restored as it was before the lesson';
}

export async function cleanupLesson(lessonId: string, onEvent: (event: RunnerEvent) => void = () => {}, options: CleanupOptions = {}): Promise<RunStatus> {
  const started = Date.now();
  const signal = options.signal ?? new AbortController().signal;
  const env = await prepareEnvironment({ ...options, lessonId }, onEvent, signal);
  const { lesson, state } = env;
  // Objects journaled on another cluster (before a reset) are not this cluster's to delete or restore.
  if (state.entries.some((e) => e.type === 'object')) await env.client();
  const entries = [...state.entries].sort((a, b) => b.seq - a.seq);
  const stepCount = entries.length + lesson.cleanup.length;
  const failedSteps: number[] = [];
  let interrupted = false;
  env.emit({ type: 'lesson-start', lessonId, title: `Clean up: ${lesson.title}`, stepCount, fromStep: 0 });
  let index = 0;
  /** Ends the current step after it threw; true when the run was interrupted (stop), false when only this step failed. */
  const stepThrew = (error: unknown, t0: number): boolean => {
    if (signal.aborted) {
      env.emit({ type: 'step-end', lessonId, index, status: 'interrupted', ms: Date.now() - t0 });
      return true;
    }
    failedSteps.push(index);
    env.emit({ type: 'step-end', lessonId, index, status: 'failed', ms: Date.now() - t0, error: (error as Error).message });
    return false;
  };
  for (const entry of entries) {
    if (signal.aborted) {
      interrupted = true;
      break;
    }
    const t0 = Date.now();
    env.emit({ type: 'step-start', lessonId, index, stepId: `journal-${entry.seq}`, kind: 'cleanup', title: describeEntry(entry) });
    try {
      let said: string;
      if (entry.type === 'object') {
        const client = await env.client();
        if (entry.existedBefore && entry.saved) env.emit({ type: 'command', lessonId, index, tool: 'kubectl', command: kubectlApply(stepContext(env, lesson.steps[0]!, index).kubectl, stringify(entry.saved)) });
        else env.emit({ type: 'command', lessonId, index, tool: 'kubectl', command: kubectlDelete(stepContext(env, lesson.steps[0]!, index).kubectl, entry.object) });
        said = await undoObject(entry, client);
      } else {
        env.emit({ type: 'command', lessonId, index, tool: 'shell', command: `rm -${entry.type === 'dir' ? 'r' : ''}f ${JSON.stringify(entry.path)}` });
        said = await removePath(entry, env.workDir, !options.workDir);
      }
      await state.forget(entry.seq);
      env.emit({ type: 'output', lessonId, index, text: `${describeEntry(entry).split(' ').slice(1).join(' ')}: ${said}` });
      env.emit({ type: 'step-end', lessonId, index, status: 'ok', ms: Date.now() - t0 });
    } catch (error) {
      if (stepThrew(error, t0)) {
        interrupted = true;
        break;
      }
    }
    index++;
  }
  for (const step of interrupted ? [] : lesson.cleanup) {
    const t0 = Date.now();
    env.emit({ type: 'step-start', lessonId, index, stepId: step.id, kind: step.kind, title: step.title });
    try {
      const result = await executeStep(env, stepContext(env, step, index, { cleanup: true }));
      if (!result.ok) failedSteps.push(index);
      env.emit({ type: 'step-end', lessonId, index, status: result.ok ? 'ok' : 'failed', ms: Date.now() - t0, ...(result.error ? { error: result.error } : {}) });
    } catch (error) {
      if (stepThrew(error, t0)) {
        interrupted = true;
        break;
      }
    }
    index++;
  }
  const status: RunStatus = interrupted ? 'interrupted' : failedSteps.length ? 'failed' : 'ok';
  if (status === 'ok') await state.resetProgress();
  env.emit({ type: 'lesson-end', lessonId, status, ms: Date.now() - started, failedSteps });
  return status;
}
