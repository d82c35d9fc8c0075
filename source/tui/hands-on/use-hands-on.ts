// Hands-on mode for the lesson screen: the learner does each step with their
// own commands; the step ticks when its effect appears. Checks run when the
// mode opens and whenever a watch reports a change (cluster objects, the
// gateway's access log, the work directory), debounced. Nothing here runs a
// step except the keys that say so (⏎ do it for me, g bring me here, R replay).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Key } from 'ink';
import type { LessonView } from '../model.js';
import type { LessonSession } from '../lesson/use-lesson-session.js';
import type { StepRun } from '../lesson/run-state.js';
import type { Line } from '../common/lines.js';
import { handsOnLines } from './hands-on-lines.js';
import type { HandsOnServices, HandsOnStepData, PredictionVerdictView, StepCheckView, ToolRunView } from './model.js';
import { plural } from '../../common/plural.js';

const RECHECK_DEBOUNCE_MS = 200;

type Confirm = { action: 'cleanup' | 'replay' | 'solve'; index: number; question: string };

export interface HandsOn {
  enabled: boolean;
  /** Lines to show above the step's own text (empty when the mode is off). */
  lines(index: number, width: number, run: StepRun | undefined): Line[];
  /** Step states for the step list: ticks follow the checks while the mode is on. */
  runs(runs: StepRun[]): StepRun[];
  /** A status line to show instead of the usual one (a confirmation, a notice). */
  status?: { text: string; role: 'warn' | 'ok' | 'fail' | 'dim' };
  onKey(input: string, key: Key, index: number): boolean;
  /** The latest checks, and whether every step's effect holds, i.e. the learner finished the lesson by hand (then the end-of-lesson summary opens). */
  checks?: StepCheckView[];
  allHold: boolean;
}

export function useHandsOn(services: HandsOnServices | undefined, lesson: LessonView | undefined, session: LessonSession): HandsOn {
  const { handsOn: enabled, setHandsOn } = session;
  const [since] = useState(() => Date.now());
  const [data, setData] = useState<HandsOnStepData[]>();
  const [checks, setChecks] = useState<StepCheckView[]>();
  const [checking, setChecking] = useState(false);
  const [lastEvent, setLastEvent] = useState<string>();
  const [hints, setHints] = useState<Record<number, number>>({});
  const [answers, setAnswers] = useState<Record<number, number>>({});
  const [predictions, setPredictions] = useState<Record<number, PredictionVerdictView>>({});
  const [tools, setTools] = useState<Record<number, { running: boolean; result?: ToolRunView; error?: string }>>({});
  const [confirm, setConfirm] = useState<Confirm>();
  const [notice, setNotice] = useState<{ text: string; role: 'ok' | 'fail' | 'dim' }>();
  const lessonId = lesson?.id;
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);

  // One check at a time; a change during a check asks for one more.
  const inFlight = useRef(false);
  const again = useRef(false);
  const recheck = useCallback(() => {
    if (!services || !lessonId) return;
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    setChecking(true);
    void services
      .check(lessonId, since)
      .then(
        (result) => mounted.current && setChecks(result),
        (error: unknown) => mounted.current && setNotice({ text: `check failed: ${(error as Error).message}`, role: 'fail' }),
      )
      .finally(() => {
        inFlight.current = false;
        if (mounted.current) setChecking(false);
        if (again.current) {
          again.current = false;
          recheck();
        }
      });
  }, [services, lessonId, since]);

  useEffect(() => {
    if (!enabled || !services || !lessonId) return;
    let timer: NodeJS.Timeout | undefined;
    void services.steps(lessonId).then((d) => mounted.current && setData(d), () => undefined);
    recheck();
    const stop = services.watch(lessonId, (source, detail) => {
      if (!mounted.current) return;
      setLastEvent(`${source}: ${detail.length > 120 ? `${detail.slice(0, 119)}…` : detail}`);
      clearTimeout(timer);
      timer = setTimeout(recheck, RECHECK_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [enabled, services, lessonId, recheck]);

  // A run of the workshop's own (do it for me) changes things too: check again when it ends.
  const running = session.run?.running ?? false;
  useEffect(() => {
    if (enabled && !running) recheck();
  }, [enabled, running, recheck]);

  // An answered prediction is judged once the effect is seen (the learner's request) or our probe ran.
  useEffect(() => {
    if (!services || !lessonId || !enabled) return;
    for (const [text, answer] of Object.entries(answers)) {
      const index = Number(text);
      if (predictions[index]) continue;
      const probe = session.run?.steps[index]?.probe;
      const seen = checks?.[index]?.findings.some((f) => f.subject === 'the gateway' && f.observed !== 'no request');
      if (!probe && !seen) continue;
      void services.judgePrediction(lessonId, index, answer, since, probe?.result).then((verdict) => {
        if (verdict && mounted.current) setPredictions((p) => ({ ...p, [index]: verdict }));
      }, () => undefined);
    }
  }, [services, lessonId, enabled, answers, predictions, checks, session.run, since]);

  const act = useCallback(
    (c: Confirm) => {
      if (!services || !lessonId) return;
      if (c.action === 'solve') {
        session.runSteps(0, c.index - 1);
        setNotice({ text: `the workshop does steps 1-${c.index}; then step ${c.index + 1} is yours`, role: 'dim' });
        return;
      }
      setNotice({ text: c.action === 'cleanup' ? 'cleaning up…' : 'cleaning up, then running the lesson again…', role: 'dim' });
      void services.cleanup(lessonId).then(
        (summary) => {
          if (!mounted.current) return;
          setNotice({ text: summary, role: 'ok' });
          setHints({});
          setAnswers({});
          setPredictions({});
          setTools({});
          if (c.action === 'replay') session.runSteps(0);
          recheck();
        },
        (error: unknown) => mounted.current && setNotice({ text: `cleanup failed: ${(error as Error).message}`, role: 'fail' }),
      );
    },
    [services, lessonId, session, recheck],
  );

  const onKey = useCallback(
    (input: string, key: Key, index: number): boolean => {
      if (!services || !lesson) return false;
      if (confirm) {
        if (input === 'y') {
          setConfirm(undefined);
          act(confirm);
        } else if (input === 'n' || key.escape) {
          setConfirm(undefined);
          setNotice({ text: 'cancelled', role: 'dim' });
        }
        return input !== 'q';
      }
      if (input === 'm') {
        setHandsOn(!enabled);
        setNotice(undefined);
        return true;
      }
      if (!enabled) return false;
      const step = lesson.steps[index];
      if (!step) return false;
      if (input === 'h') {
        const total = data?.[index]?.hints.length ?? 0;
        const shown = hints[index] ?? 0;
        if (!total) setNotice({ text: 'this step has no hints; the check above says what is missing', role: 'dim' });
        else if (shown >= total) setNotice({ text: `all ${total} hints shown`, role: 'dim' });
        else setHints((h) => ({ ...h, [index]: shown + 1 }));
        return true;
      }
      if (input === 'c') {
        if (!step.commands.length) setNotice({ text: 'nothing to copy: this step has no commands', role: 'dim' });
        else {
          services.copy(step.commands.map((c) => c.command).join('\n'));
          setNotice({ text: `copied ${plural(step.commands.length, 'command')} to the clipboard (OSC 52; in tmux: set -g set-clipboard on)`, role: 'ok' });
        }
        return true;
      }
      if (input === 'x') {
        if (!step.commands.length) {
          setNotice({ text: 'nothing to run: this step has no commands', role: 'dim' });
          return true;
        }
        setTools((t) => ({ ...t, [index]: { running: true } }));
        void services.runTool(step.commands).then(
          (result) => mounted.current && setTools((t) => ({ ...t, [index]: { running: false, result } })),
          (error: unknown) => mounted.current && setTools((t) => ({ ...t, [index]: { running: false, error: (error as Error).message } })),
        );
        return true;
      }
      if (/^[1-9]$/.test(input) && data?.[index]?.predict) {
        const choice = Number(input) - 1;
        if (choice < data[index]!.predict!.choices.length && answers[index] === undefined) setAnswers((a) => ({ ...a, [index]: choice }));
        return true;
      }
      if (input === 'g') {
        if (index === 0) setNotice({ text: 'this is the first step already', role: 'dim' });
        else setConfirm({ action: 'solve', index, question: `Let the workshop do steps 1-${index} and bring you to step ${index + 1}? y/n` });
        return true;
      }
      if (input === 'C') {
        setConfirm({ action: 'cleanup', index, question: `Clean up ${lesson.id}: delete what it made (also what you made by hand) and restore what it changed? y/n` });
        return true;
      }
      if (input === 'R') {
        setConfirm({ action: 'replay', index, question: `Replay ${lesson.id}: clean up, then let the workshop run every step? y/n` });
        return true;
      }
      return false;
    },
    [services, lesson, confirm, act, enabled, setHandsOn, data, hints, answers],
  );

  const lines = useCallback(
    (index: number, width: number, run: StepRun | undefined): Line[] =>
      enabled && services
        ? handsOnLines(
            {
              check: checks?.[index],
              checking,
              data: data?.[index],
              hintsShown: hints[index] ?? 0,
              answer: answers[index],
              prediction: predictions[index],
              tool: tools[index],
              probe: run?.probe,
              lastEvent,
            },
            width,
          )
        : [],
    [enabled, services, checks, checking, data, hints, answers, predictions, tools, lastEvent],
  );

  const runs = useCallback(
    (list: StepRun[]): StepRun[] =>
      enabled && checks
        ? list.map((r, i) => {
            const c = checks[i];
            if (!c || r.status === 'running') return r;
            return { ...r, status: c.holds ? 'ok' : c.status === 'mismatch' ? 'failed' : 'pending' };
          })
        : list,
    [enabled, checks],
  );

  const status = confirm ? { text: confirm.question, role: 'warn' as const } : enabled && notice ? notice : enabled ? { text: 'hands-on: do the step in another terminal; it ticks when its effect appears', role: 'dim' as const } : undefined;
  const allHold = Boolean(enabled && checks?.length && checks.every((c) => c.holds));
  // The moment every effect holds (not while a run of the workshop's own is going), the lesson is done by hand: save it, show its end.
  const finished = useRef(false);
  const hasSummary = Boolean(session.run?.summary);
  const { finishedByHand } = session;
  useEffect(() => {
    if (!allHold) {
      finished.current = false;
      return;
    }
    if (finished.current || running || hasSummary || !services?.finish || !lessonId || !checks) return;
    finished.current = true;
    services.finish(lessonId, checks).then(
      (summary) => mounted.current && finishedByHand(summary),
      (error: unknown) => mounted.current && setNotice({ text: `could not save the lesson as done: ${(error as Error).message}`, role: 'fail' }),
    );
  }, [allHold, running, hasSummary, services, lessonId, checks, finishedByHand]);
  return { enabled, lines, runs, onKey, allHold, ...(checks ? { checks } : {}), ...(status ? { status } : {}) };
}
