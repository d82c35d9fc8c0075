// Keys for the screen on view, from the moment its frame is out. Ink writes a
// frame at commit time, but useInput subscribes in a passive effect, which
// React runs for a legacy root (Ink's) in a later task: a key read in between
// went to the screen that was replaced, or to none (CI lost an Esc pressed
// right after the help appeared). So one useInput at the root, subscribed for
// the app's life, hands each key to the screens' handlers, which register in
// layout effects: those run within the commit, before any key can be read.
import React, { createContext, type ReactNode, useCallback, useContext, useLayoutEffect, useRef, useState } from 'react';
import { type Key, useInput } from 'ink';
import { BugError } from '../../common/errors.js';

type KeyHandler = (input: string, key: Key) => void;
interface Registration {
  handler: KeyHandler;
  active: boolean;
}
type Registrations = Set<{ current: Registration }>;

const KeyRoutes = createContext<Registrations | undefined>(undefined);

/** Around the whole app (and a screen rendered alone in a test): the one input subscription. */
export function KeyRouter({ children }: { children: ReactNode }) {
  const [routes] = useState<Registrations>(() => new Set());
  const route = useCallback(
    (input: string, key: Key) => {
      // Every handler registered when the key came gets it: one that changes screens
      // unmounts the others only at the next commit, after this key.
      for (const registration of [...routes]) if (registration.current.active) registration.current.handler(input, key);
    },
    [routes],
  );
  useInput(route);
  return <KeyRoutes.Provider value={routes}>{children}</KeyRoutes.Provider>;
}

/** Like Ink's useInput, with the latest handler (and `isActive`) in force from the frame that shows it. */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}): void {
  const routes = useContext(KeyRoutes);
  if (!routes) throw new BugError('useKeys is used outside <KeyRouter>: wrap the app (or the screen under test) in it');
  const latest = useRef<Registration>({ handler, active: options.isActive !== false });
  latest.current = { handler, active: options.isActive !== false };
  useLayoutEffect(() => {
    routes.add(latest);
    return () => {
      routes.delete(latest);
    };
  }, [routes]);
}
