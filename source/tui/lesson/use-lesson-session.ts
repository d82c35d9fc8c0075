// The open lesson and its run, kept above the screens so the run goes on
// while the learner visits the playground or the help.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { LessonView, RunHandle, WorkshopServices } from '../model.js';
import type { EndOfLesson } from '../../lesson/summary.js';
import { initialRunState, type LessonRunState, runReducer, type RunAction } from './run-state.js';

export interface LessonSession {
  lesson?: LessonView;
  loading: boolean;
  error?: string;
  run?: LessonRunState;
  open(lessonId: string): void;
  /** Run steps fromStep..toStep (0-based, inclusive; toStep absent: to the end). */
  runSteps(fromStep: number, toStep?: number): void;
  /** Ask a run in progress to stop; resolves when it has. */
  stop(): Promise<void>;
  /** Hands-on mode saw every step's effect: the lesson is done by hand, with this summary. */
  finishedByHand(summary: EndOfLesson): void;
  /**
   * Hands-on mode is on. Kept here, not on the lesson screen, so that it stays on past the
   * lesson's end screen and into the next lesson until `m` turns it off (a finished lesson has
   * its summary, so coming back to it does not finish it again).
   */
  handsOn: boolean;
  setHandsOn(on: boolean): void;
}

function reducer(state: LessonRunState | undefined, action: RunAction | { type: 'reset'; state: LessonRunState }): LessonRunState | undefined {
  if (action.type === 'reset') return action.state;
  return state ? runReducer(state, action) : state;
}

export function useLessonSession(services: WorkshopServices): LessonSession {
  const [lesson, setLesson] = useState<LessonView>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [run, dispatch] = useReducer(reducer, undefined);
  const [handsOn, setHandsOn] = useState(false);
  const handle = useRef<RunHandle | null>(null);
  const opened = useRef<string | null>(null);

  const open = useCallback(
    (lessonId: string) => {
      if (opened.current === lessonId) return;
      opened.current = lessonId;
      setLoading(true);
      setError(undefined);
      services.loadLesson(lessonId).then(
        (loaded) => {
          if (opened.current !== lessonId) return;
          setLesson(loaded);
          dispatch({ type: 'reset', state: initialRunState(loaded) });
          setLoading(false);
        },
        (e: unknown) => {
          if (opened.current !== lessonId) return;
          setError(e instanceof Error ? e.message : String(e));
          setLoading(false);
        },
      );
    },
    [services],
  );

  const runSteps = useCallback(
    (fromStep: number, toStep?: number) => {
      if (!lesson || handle.current) return;
      dispatch({ type: 'run-requested' });
      let started: RunHandle;
      try {
        started = services.runLesson({
          lessonId: lesson.id,
          fromStep,
          toStep,
          onEvent: (event) => dispatch({ type: 'event', event, now: Date.now() }),
        });
      } catch (e) {
        dispatch({ type: 'run-finished', error: e instanceof Error ? e.message : String(e) });
        return;
      }
      handle.current = started;
      started.done.then(
        () => {
          handle.current = null;
          dispatch({ type: 'run-finished' });
        },
        (e: unknown) => {
          handle.current = null;
          dispatch({ type: 'run-finished', error: e instanceof Error ? e.message : String(e) });
        },
      );
    },
    [lesson, services],
  );

  const stop = useCallback(async () => {
    await handle.current?.stop();
  }, []);

  // Leaving the TUI never leaves a run writing into an unmounted tree.
  useEffect(() => () => void handle.current?.stop(), []);

  const finishedByHand = useCallback((summary: EndOfLesson) => dispatch({ type: 'finished-by-hand', summary }), []);

  return { lesson, loading, error, run, open, runSteps, stop, finishedByHand, handsOn, setHandsOn };
}
