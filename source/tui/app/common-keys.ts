// Keys that mean the same on every screen.
import type { Key } from 'ink';
import type { ScrollAction } from '../common/use-scroll.js';
import type { Navigator } from './navigation.js';

/** ? help, q quit, Esc back. Returns true when the key was handled. */
export function handleGlobalKey(input: string, key: Key, nav: Navigator): boolean {
  if (input === '?') {
    nav.toggleHelp();
    return true;
  }
  if (input === 'q' && !key.ctrl && !key.meta) {
    nav.quit();
    return true;
  }
  if (key.escape) {
    nav.back();
    return true;
  }
  return false;
}

/** PgUp/PgDn (u/d), Home/End: scroll the text pane. */
export function handleScrollKey(input: string, key: Key, scroll: (action: ScrollAction) => void): boolean {
  if (key.pageDown || input === 'd' || input === ' ') scroll({ type: 'page', direction: 1 });
  else if (key.pageUp || input === 'u') scroll({ type: 'page', direction: -1 });
  else if (key.home) scroll({ type: 'home' });
  else if (key.end) scroll({ type: 'end' });
  else return false;
  return true;
}
