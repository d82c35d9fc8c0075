// Reading `run --json` output in the end-to-end tests: the runner's events,
// one JSON object per line, and the failed steps and probes as a short text
// for assertion messages.
import type { RunnerEvent } from '../../source/lesson/events.js';

export function runnerEvents(stdout: string): RunnerEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunnerEvent);
}

export function runFailures(list: RunnerEvent[]): string {
  return JSON.stringify(list.filter((e) => (e.type === 'step-end' && e.status !== 'ok') || (e.type === 'probe-result' && !e.ok)), null, 1).slice(0, 4000);
}
