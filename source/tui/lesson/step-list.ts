// The steps column: one line per step with its state icon, scrolled so the
// chosen step stays visible.
import type { StepView } from '../model.js';
import { type Line, truncateLine } from '../common/lines.js';
import { type StepRun, statusIcons } from './run-state.js';

const iconRole = { pending: 'dim', running: 'warn', ok: 'ok', failed: 'fail', skipped: 'dim', paused: 'warn' } as const;

export function stepListLines(steps: StepView[], runs: StepRun[], selected: number, width: number, height: number): Line[] {
  const all: Line[] = steps.map((step, i) => {
    const status = runs[i]?.status ?? 'pending';
    const number = String(i + 1).padStart(String(steps.length).length);
    return truncateLine(
      [
        { text: i === selected ? '›' : ' ', role: 'key' },
        { text: statusIcons[status], role: iconRole[status] },
        { text: ` ${number} `, role: 'dim' },
        { text: step.title, role: i === selected ? 'bold' : undefined },
      ],
      width,
    );
  });
  if (all.length <= height) return all;
  const first = Math.max(0, Math.min(selected - Math.floor(height / 2), all.length - height));
  return all.slice(first, first + height);
}
