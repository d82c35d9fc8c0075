// Scroll position of a pane of prepared lines; the reducer is pure.
import { useCallback, useEffect, useReducer } from 'react';

export type ScrollAction =
  | { type: 'by'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'to'; offset: number }
  | { type: 'home' }
  | { type: 'end' };

export interface ScrollState {
  offset: number;
  total: number;
  height: number;
}

export function clampOffset(offset: number, total: number, height: number): number {
  return Math.max(0, Math.min(offset, Math.max(total - height, 0)));
}

export function scrollReducer(state: ScrollState, action: ScrollAction | { type: 'resize'; total: number; height: number }): ScrollState {
  const { total, height } = state;
  switch (action.type) {
    case 'by':
      return { ...state, offset: clampOffset(state.offset + action.delta, total, height) };
    case 'page':
      return { ...state, offset: clampOffset(state.offset + action.direction * Math.max(height - 2, 1), total, height) };
    case 'to':
      return { ...state, offset: clampOffset(action.offset, total, height) };
    case 'home':
      return { ...state, offset: 0 };
    case 'end':
      return { ...state, offset: clampOffset(total, total, height) };
    case 'resize':
      return { total: action.total, height: action.height, offset: clampOffset(state.offset, action.total, action.height) };
  }
}

export function useScroll(total: number, height: number) {
  const [state, dispatch] = useReducer(scrollReducer, { offset: 0, total, height });
  useEffect(() => dispatch({ type: 'resize', total, height }), [total, height]);
  const scroll = useCallback((action: ScrollAction) => dispatch(action), []);
  const offset = clampOffset(state.offset, total, height);
  return { offset, scroll, canScroll: total > height, atEnd: offset >= total - height };
}
