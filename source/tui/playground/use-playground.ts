// Wires the playground reducer to the probe service.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ProbeRequest } from '../../probe/types.js';
import type { ProbeVerdict, WorkshopServices } from '../model.js';
import { initialPlayground, playgroundReducer } from './playground-state.js';
import { playgroundEdits } from './request-fields.js';

export function usePlayground(services: WorkshopServices, lessonId: string, stepIndex: number, base: ProbeRequest, lessonVerdict?: ProbeVerdict, options: { authorization?: boolean } = {}) {
  const [state, dispatch] = useReducer(playgroundReducer, undefined, () => initialPlayground(base, lessonVerdict, options));
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const run = useCallback(() => {
    if (state.running) return;
    dispatch({ type: 'run-start' });
    services.probe(lessonId, stepIndex, playgroundEdits(state.base, state.fields)).then(
      (verdict) => live.current && dispatch({ type: 'run-done', verdict }),
      (e: unknown) => live.current && dispatch({ type: 'run-failed', error: e instanceof Error ? e.message : String(e) }),
    );
  }, [services, lessonId, stepIndex, state.base, state.fields, state.running]);
  return { state, dispatch, run };
}
