// The playground as a pure reducer: fields, which one is focused or edited,
// and the latest probe run.
import type { ProbeRequest } from '../../probe/types.js';
import type { ProbeVerdict } from '../model.js';
import { fieldOrder, fieldsFromRequest, type FieldName, type RequestFields } from './request-fields.js';

export interface PlaygroundState {
  base: ProbeRequest;
  fields: RequestFields;
  /** The fields shown, in order: Authorization only for lessons whose probes send one. */
  shown: FieldName[];
  focus: number;
  editing: boolean;
  running: boolean;
  /** Probes sent from the playground so far. */
  runs: number;
  verdict?: ProbeVerdict;
  /** Where the shown verdict came from. */
  source?: 'lesson' | 'playground';
  error?: string;
}

export type PlaygroundAction =
  | { type: 'focus'; delta: number }
  | { type: 'edit' }
  | { type: 'commit'; value: string }
  | { type: 'cancel' }
  | { type: 'clear' }
  | { type: 'reset' }
  | { type: 'run-start' }
  | { type: 'run-done'; verdict: ProbeVerdict }
  | { type: 'run-failed'; error: string };

export function initialPlayground(base: ProbeRequest, lessonVerdict?: ProbeVerdict, options: { authorization?: boolean } = {}): PlaygroundState {
  const authorization = options.authorization ?? Boolean(base.headers?.some(([k]) => k.toLowerCase() === 'authorization'));
  return {
    base,
    fields: fieldsFromRequest(base),
    shown: fieldOrder.map((f) => f.name).filter((name) => name !== 'auth' || authorization),
    focus: 0,
    editing: false,
    running: false,
    runs: 0,
    verdict: lessonVerdict,
    source: lessonVerdict ? 'lesson' : undefined,
  };
}

export function shownFields(state: PlaygroundState) {
  return fieldOrder.filter((f) => state.shown.includes(f.name));
}

export function focusedField(state: PlaygroundState) {
  return shownFields(state)[state.focus]!;
}

export function playgroundReducer(state: PlaygroundState, action: PlaygroundAction): PlaygroundState {
  switch (action.type) {
    case 'focus':
      if (state.editing) return state;
      return { ...state, focus: (state.focus + action.delta + state.shown.length) % state.shown.length };
    case 'edit':
      return state.running ? state : { ...state, editing: true };
    case 'commit':
      return { ...state, editing: false, fields: { ...state.fields, [focusedField(state).name]: action.value } };
    case 'cancel':
      return { ...state, editing: false };
    case 'clear':
      return state.editing ? state : { ...state, fields: { ...state.fields, [focusedField(state).name]: '' } };
    case 'reset':
      return state.editing ? state : { ...state, fields: fieldsFromRequest(state.base) };
    case 'run-start':
      return { ...state, running: true, editing: false, error: undefined };
    case 'run-done':
      return { ...state, running: false, runs: state.runs + 1, verdict: action.verdict, source: 'playground' };
    case 'run-failed':
      return { ...state, running: false, runs: state.runs + 1, error: action.error };
  }
}
