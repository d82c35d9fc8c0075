// The home screen's data: lessons with progress, the cluster in use and
// whether the gateway is ready. The cluster check runs after the first frame.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClusterStatus, LessonSummary, WorkshopServices } from '../model.js';
import { homeProgress } from './home-lines.js';

export interface HomeState {
  lessons?: LessonSummary[];
  lessonsError?: string;
  cluster?: ClusterStatus;
  clusterError?: string;
  checking: boolean;
  selected: number;
}

/**
 * How long after the listing `onListed` waits: long enough for Ink's next frame (it draws at
 * most 30 a second) to be out and drawn by the terminal, short next to a learner's first key.
 */
const LISTED_FRAME_MS = 200;

/** `lastLessonId`: the lesson last opened, chosen again when coming back home; `onListed`: called once the frame with the lessons (or the error) is out. */
export function useHome(services: WorkshopServices, lastLessonId?: string, onListed?: () => void) {
  const [state, setState] = useState<HomeState>({ checking: true, selected: 0 });
  // Keys can arrive several per read (↓ then ⏎); handlers read the latest state here, not a render's copy.
  const latest = useRef(state);
  latest.current = state;
  const update = useCallback((change: (s: HomeState) => HomeState) => {
    latest.current = change(latest.current);
    setState(change);
  }, []);

  const checkCluster = useCallback(() => {
    // Unchanged when already checking (the first check): a new state object would draw the same frame again.
    setState((s) => (s.checking ? s : { ...s, checking: true }));
    services.clusterStatus().then(
      (cluster) => setState((s) => ({ ...s, cluster, clusterError: undefined, checking: false })),
      (e: unknown) => setState((s) => ({ ...s, clusterError: e instanceof Error ? e.message : String(e), checking: false })),
    );
  }, [services]);

  useEffect(() => {
    let live = true;
    let listedTimer: NodeJS.Timeout | undefined;
    services
      .listLessons()
      .then(
        (lessons) =>
          live &&
          // The lesson last opened, else the next lesson to take.
          setState((s) => ({ ...s, lessons, selected: Math.max(lessons.findIndex((l) => l.id === (lastLessonId ?? homeProgress(lessons).next?.id)), 0) })),
        (e: unknown) => live && setState((s) => ({ ...s, lessonsError: e instanceof Error ? e.message : String(e) })),
      )
      .finally(() => {
        // After the frame with the lessons is out.
        if (live && onListed) listedTimer = setTimeout(onListed, LISTED_FRAME_MS);
      });
    checkCluster();
    return () => {
      live = false;
      clearTimeout(listedTimer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the first lesson list picks the remembered lesson
  }, [services, checkCluster]);

  const move = useCallback((delta: number) => {
    update((s) => {
      const count = s.lessons?.length ?? 0;
      if (count === 0) return s;
      return { ...s, selected: (s.selected + delta + count) % count };
    });
  }, [update]);

  /** The lesson chosen right now (after any keys already handled). */
  const chosen = useCallback(() => latest.current.lessons?.[latest.current.selected], []);

  return { state, move, chosen, refresh: checkCluster };
}
