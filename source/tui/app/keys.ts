// Every key of every screen, in one table: footers show the short labels,
// the help screen lists them all, so the two never disagree.
import type { Line } from '../common/lines.js';

export interface KeyBinding {
  keys: string;
  /** Footer label (short). */
  label: string;
  /** Help text (full). */
  help: string;
}

export type ScreenName = 'home' | 'lesson' | 'summary' | 'playground' | 'help';

const help: KeyBinding = { keys: '?', label: 'help', help: 'show every key (press again or Esc to close)' };
const quit: KeyBinding = {
  keys: 'q',
  label: 'quit',
  help: 'quit the workshop; a step in progress is interrupted, its progress saved, and it resumes next time. The cluster keeps running (agw-workshop cluster down stops it)',
};
const back: KeyBinding = { keys: 'Esc', label: 'back', help: 'go back to the previous screen' };
const scroll: KeyBinding = { keys: 'PgUp/PgDn', label: 'scroll', help: 'scroll the text (also u/d, Home/End)' };

export const screenKeys: Record<ScreenName, KeyBinding[]> = {
  home: [
    { keys: '↑/↓', label: 'choose', help: 'choose a lesson (also k/j)' },
    { keys: '⏎', label: 'open', help: 'open the lesson' },
    { keys: 'r', label: 'refresh', help: 'check the cluster and the gateway again' },
    help,
    quit,
  ],
  lesson: [
    { keys: '↑/↓', label: 'step', help: 'choose a step (also k/j)' },
    { keys: '⏎', label: 'run step', help: 'run the chosen step (explain steps: mark as read)' },
    { keys: 'a', label: 'run rest', help: 'run from the chosen step to the end without stopping' },
    { keys: 'p', label: 'playground', help: 'on a probe step: open the probe playground to change SNI, Host, path, certificates, ALPN' },
    { keys: 's', label: 'stop', help: 'stop the run (progress is saved; ⏎ or a resumes)' },
    { keys: 't', label: 'traces', help: 'show or hide the traces of the last requests through the gateway (span tree with status, route, flags, model, tokens, errors), in place of the step' },
    { keys: 'e', label: 'end', help: "once every step is done: the lesson's end again (what you did, what you saw, the lab text's corrections, the next lesson)" },
    {
      keys: 'm',
      label: 'hands-on',
      help: 'hands-on mode, on until m again: do each step yourself in another terminal; it ticks when its effect appears (cluster, certificates, the gateway\'s access log). There: c copies the commands (OSC 52), x runs them with the real tool beside our probe, h gives a hint, 1-9 answers a prediction, ⏎ does it for you, g brings you to this step, C cleans up, R replays (each asks first)',
    },
    scroll,
    back,
    help,
    quit,
  ],
  summary: [
    { keys: 'n', label: 'next lesson', help: 'open the next lesson to take (the first not done whose prerequisites are done)' },
    { keys: '⏎', label: 'steps', help: "back to this lesson's steps" },
    { keys: 'h', label: 'home', help: 'the home screen: every lesson and the whole workshop\'s progress' },
    { keys: '↑/↓', label: 'scroll', help: 'scroll the summary (also k/j, PgUp/PgDn, u/d, Home/End)' },
    back,
    help,
    quit,
  ],
  playground: [
    { keys: '↑/↓', label: 'field', help: 'choose a field of the request (also Tab/Shift-Tab)' },
    { keys: '⏎', label: 'edit', help: 'type a new value for the field (names the lesson uses complete in grey; ⏎ takes them); ⏎ on an empty field or Esc keeps the old value' },
    { keys: 'r', label: 'run', help: 'send the probe again with these fields' },
    { keys: 'c', label: 'clear', help: 'clear the field (an empty SNI sends no server_name at all)' },
    { keys: 'x', label: 'reset', help: 'reset every field to what the lesson sends' },
    scroll,
    back,
    help,
    quit,
  ],
  help: [scroll, { keys: 'Esc/?', label: 'close', help: 'close the help' }, quit],
};

export const screenTitles: Record<ScreenName, string> = {
  home: 'Home',
  lesson: 'Lesson',
  summary: 'End of the lesson',
  playground: 'Probe playground',
  help: 'Help',
};

/** The footer's lines for a screen: whole bindings per line, wrapped to the width. */
export function footerLines(bindings: KeyBinding[], width: number): Line[] {
  const lines: Line[] = [];
  let line: Line = [];
  let used = 0;
  for (const binding of bindings) {
    const size = binding.keys.length + 1 + binding.label.length;
    if (used > 0 && used + 2 + size > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (used > 0) {
      line.push({ text: '  ' });
      used += 2;
    }
    line.push({ text: binding.keys, role: 'key' }, { text: ` ${binding.label}` });
    used += size;
  }
  if (line.length) lines.push(line);
  return lines;
}
