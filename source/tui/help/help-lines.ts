// The help text: every key of every screen (from the one key table), and how
// the workshop behaves on quit and after a step.
import { type ScreenName, screenKeys, screenTitles } from '../app/keys.js';
import { type Line, wrapLine } from '../common/lines.js';

export function helpLines(from: ScreenName, width: number, presenter: boolean): Line[] {
  const out: Line[] = [[{ text: 'Help: every key', role: 'heading' }], []];
  const order: ScreenName[] = [from, ...(['home', 'lesson', 'summary', 'playground'] as ScreenName[]).filter((s) => s !== from && s !== 'help')];
  const keyWidth = 11;
  for (const screen of order) {
    if (screen === 'help') continue;
    out.push([{ text: `${screenTitles[screen]}${screen === from ? ' (this screen)' : ''}`, role: 'bold' }]);
    for (const binding of screenKeys[screen]) {
      out.push(...wrapLine([{ text: `  ${binding.keys.padEnd(keyWidth)}`, role: 'key' }, { text: binding.help }], width, [{ text: ' '.repeat(keyWidth + 2) }]));
    }
    out.push([]);
  }
  const notes = [
    'q quits the workshop. The cluster keeps running, so kubectl in another terminal still works; `agw-workshop cluster down` stops it.',
    presenter
      ? 'Presenter mode: the cursor never moves on its own; ⏎ runs the chosen step and you move on with ↓ when the class is ready. Presenter notes appear above each step.'
      : 'After a step you ran ends well, the cursor moves to the next step; nothing runs until you press ⏎ (explain steps included).',
    'A lesson stopped by q, Ctrl-C or a crash resumes where it stopped; `agw-workshop cleanup <id>` removes what it created.',
  ];
  out.push([{ text: 'Good to know', role: 'bold' }]);
  for (const note of notes) out.push(...wrapLine([{ text: '• ', role: 'accent' }, { text: note }], width, [{ text: '  ' }]));
  return out;
}
