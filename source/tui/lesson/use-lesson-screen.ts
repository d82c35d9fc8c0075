// The lesson screen's own state: which step is chosen, and moving on after a
// step ends. Learner mode: when a step you ran ends well, the cursor moves to
// the next step (nothing runs until you press ⏎; `a` follows the run), except
// after a probe step: its verdict stays in view until the learner moves.
// Presenter mode never moves the cursor on its own.
import { useEffect, useRef, useState } from 'react';
import type { LessonRunState } from './run-state.js';

export function firstOpenStep(run: LessonRunState | undefined): number {
  if (!run) return 0;
  const index = run.steps.findIndex((s) => s.status !== 'ok' && s.status !== 'skipped');
  return index === -1 ? 0 : index;
}

export function useLessonScreen(run: LessonRunState | undefined, stepCount: number, presenter: boolean) {
  const [selected, setSelected] = useState<number | null>(null);
  const current = selected ?? firstOpenStep(run);
  // Keys can arrive several per read (↓ then ⏎): handlers read the latest choice here.
  const latest = useRef(current);
  latest.current = current;
  const lastSeen = useRef(run?.lastEnded);
  // The first open step is where the lesson opens; after that only keys (and learner auto-advance) move the cursor.
  const hasRun = Boolean(run);
  useEffect(() => {
    if (hasRun && selected === null) setSelected(latest.current);
  }, [hasRun, selected]);

  useEffect(() => {
    if (!run || presenter) return;
    // Follow a multi-step run as it goes.
    if (run.running && run.currentIndex !== null) setSelected(run.currentIndex);
  }, [run?.running, run?.currentIndex, presenter]);

  useEffect(() => {
    // Decide once the run is over, so a step-end followed by lesson-end counts once.
    if (!run || run.running) return;
    const ended = run.lastEnded;
    if (!ended || ended === lastSeen.current) return;
    lastSeen.current = ended;
    if (presenter) return;
    // A step with a probe verdict stays in view (observed vs expected is what the learner came for): ↓ moves on.
    if (run.steps[ended.index]?.probe) return;
    if (ended.index === current && ended.status === 'ok' && current + 1 < stepCount) setSelected(current + 1);
  }, [run?.lastEnded, run?.running, presenter, current, stepCount]);

  const move = (delta: number) => {
    latest.current = Math.max(0, Math.min(latest.current + delta, stepCount - 1));
    setSelected(latest.current);
  };
  return { selected: current, move, chosen: () => latest.current };
}
