// Scroll position of a pane of prepared lines. The arithmetic is pure; the
// hook reads the pane's size from a ref updated during render, so a key that
// arrives right after new content is drawn scrolls the new content.
import { useCallback, useRef, useState } from 'react';

export type ScrollAction =
  | { type: 'by'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'to'; offset: number }
  | { type: 'home' }
  | { type: 'end' };

export function clampOffset(offset: number, total: number, height: number): number {
  return Math.max(0, Math.min(offset, Math.max(total - height, 0)));
}

export function applyScroll(offset: number, action: ScrollAction, total: number, height: number): number {
  switch (action.type) {
    case 'by':
      return clampOffset(offset + action.delta, total, height);
    case 'page':
      return clampOffset(offset + action.direction * Math.max(height - 2, 1), total, height);
    case 'to':
      return clampOffset(action.offset, total, height);
    case 'home':
      return 0;
    case 'end':
      return clampOffset(total, total, height);
  }
}

export function useScroll(total: number, height: number) {
  const [stored, setStored] = useState(0);
  const offset = clampOffset(stored, total, height);
  const latest = useRef({ offset, total, height });
  latest.current = { offset, total, height };
  const scroll = useCallback((action: ScrollAction) => {
    const { offset: current, total: t, height: h } = latest.current;
    const next = applyScroll(current, action, t, h);
    latest.current = { ...latest.current, offset: next };
    setStored(next);
  }, []);
  return { offset, scroll, canScroll: total > height, atEnd: offset >= total - height };
}
