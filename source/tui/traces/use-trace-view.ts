// The lesson screen's trace view (key t): while shown it takes the place of the
// step's detail pane, scrolls like it, and reads the trace service when opened
// and every few seconds after (one request at a time, stopped when hidden).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useServices } from '../app/services-context.js';
import type { Line } from '../common/lines.js';
import type { WorkshopServices } from '../model.js';
import { traceLines, type TracePaneState } from './trace-lines.js';

export const TRACE_LIMIT = 8;
export const TRACE_REFRESH_MS = 3000;

export function useTraces(services: WorkshopServices, active: boolean): TracePaneState {
  const [state, setState] = useState<TracePaneState>({ traces: [], loading: true });
  useEffect(() => {
    if (!active) return;
    const read = services.recentTraces;
    if (!read) {
      setState({ traces: [], problem: 'Traces are not available here.' });
      return;
    }
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    const refresh = () => {
      read(TRACE_LIMIT).then(
        (next) => {
          if (cancelled) return;
          setState(next);
          timer = setTimeout(refresh, TRACE_REFRESH_MS);
        },
        (error: Error) => !cancelled && setState({ traces: [], problem: error.message }),
      );
    };
    refresh();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [services, active]);
  return state;
}

export function useTraceView(width: number): { shown: boolean; toggle: () => void; lines: Line[] } {
  const services = useServices();
  const [shown, setShown] = useState(false);
  const state = useTraces(services, shown);
  const lines = useMemo(() => (shown ? traceLines(state, width) : []), [shown, state, width]);
  const toggle = useCallback(() => setShown((s) => !s), []);
  return { shown, toggle, lines };
}
