// useInput with the latest handler always in force. Ink writes a frame at
// commit time but (re)subscribes input handlers in a passive effect later, so
// a key pressed right after a frame appears would reach the previous render's
// handler, or none when `isActive` just flipped. Here the subscription never
// changes: a ref updated during render holds the handler and whether it is active.
import { useCallback, useRef } from 'react';
import { type Key, useInput } from 'ink';

export function useKeys(handler: (input: string, key: Key) => void, options: { isActive?: boolean } = {}): void {
  const latest = useRef({ handler, active: options.isActive !== false });
  latest.current = { handler, active: options.isActive !== false };
  const stable = useCallback((input: string, key: Key) => {
    if (latest.current.active) latest.current.handler(input, key);
  }, []);
  useInput(stable);
}
