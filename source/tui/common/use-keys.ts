// useInput with the latest handler always in force. Ink writes a frame at
// commit time but re-subscribes input handlers in a passive effect later, so
// a key pressed right after a frame appears would reach the previous render's
// handler (and its stale state). A ref updated during render closes that gap.
import { useCallback, useRef } from 'react';
import { type Key, useInput } from 'ink';

export function useKeys(handler: (input: string, key: Key) => void, options: { isActive?: boolean } = {}): void {
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
  useInput(stable, options);
}
