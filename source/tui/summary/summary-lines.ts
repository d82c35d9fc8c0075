// The end-of-lesson screen's text as lines (pure, so 80x24 is testable):
// what you did, what you saw, what the lab text gets wrong, what next.
import type { EndOfLesson } from '../../lesson/summary.js';
import { plural } from '../../common/plural.js';
import { type Line, wrapLine } from '../common/lines.js';
import { headingLines, parseInline } from '../common/markdown.js';
import { verdictTableLines } from '../common/verdict-lines.js';

export function summaryLines(summary: EndOfLesson, width: number, options: { presenter?: boolean } = {}): Line[] {
  const w = summary.workshop;
  const lines: Line[] = [...headingLines(`Done: ${summary.title}`, 1, width, options)];
  // What next, in view at once even when the rest needs scrolling.
  lines.push(
    ...wrapLine(
      [
        { text: `Workshop: ${w.lessonsDone}/${w.lessonCount} lessons done · `, role: 'dim' },
        ...(w.next ? [{ text: 'next: ', role: 'dim' as const }, { text: w.next.title, role: 'bold' as const }, { text: ' (', role: 'dim' as const }, { text: 'n', role: 'key' as const }, { text: ')', role: 'dim' as const }] : [{ text: 'every lesson is done', role: 'ok' as const }]),
      ],
      width,
    ),
  );
  const byHand = summary.did.filter((d) => d.how === 'by-hand').length;
  const section = (title: string) => lines.push([], [{ text: title, role: 'heading' }]);
  const number = (index: number) => `${String(index + 1).padStart(String(summary.stepCount).length)}. `;

  section('What you did');
  lines.push(
    ...wrapLine(
      [{ text: `${plural(summary.did.length, 'step')}: ${byHand === summary.did.length ? 'all by hand' : byHand ? `${byHand} by hand, ${summary.did.length - byHand} done for you by the workshop` : 'all done for you by the workshop'}.`, role: 'dim' }],
      width,
    ),
  );
  for (const d of summary.did) {
    lines.push(...wrapLine([{ text: number(d.index), role: 'dim' }, { text: d.title }, ...(d.how === 'by-hand' ? [{ text: '  by hand', role: 'accent' as const }] : [])], width, [{ text: '    ' }]));
  }

  section('What you saw');
  if (!summary.saw.length) lines.push([{ text: 'This lesson has no probe step.', role: 'dim' }]);
  for (const s of summary.saw) {
    lines.push(
      ...wrapLine(
        [
          { text: s.ok ? '✔ ' : '✘ ', role: s.ok ? 'ok' : 'fail' },
          { text: number(s.index), role: 'dim' },
          { text: s.title, role: 'bold' },
          ...(s.by === 'learner' ? [{ text: '  your own request', role: 'accent' as const }] : []),
        ],
        width,
        [{ text: '    ' }],
      ),
    );
    // A body is read in full at its step; here a value takes at most a line or two.
    const cut = (text: string) => (text.length > 100 ? `${text.slice(0, 99)}…` : text);
    lines.push(...verdictTableLines(s.verdicts.map((v) => ({ ...v, expected: cut(v.expected), observed: cut(v.observed) })), width));
    if (s.explanation) lines.push(...wrapLine([{ text: 'why: ', role: 'dim' }, { text: s.explanation }], width, [{ text: '     ' }]));
  }

  section('What the lab text gets wrong');
  if (!summary.corrections.length) lines.push([{ text: 'Nothing this lesson found.', role: 'dim' }]);
  summary.corrections.forEach((c, i) => {
    if (i > 0) lines.push([]);
    const indent = [{ text: '   ' }];
    lines.push(...wrapLine([{ text: `${i + 1}. `, role: 'dim' }, { text: 'The lab text: ', role: 'warn' }, ...parseInline(c.claim)], width, indent));
    lines.push(...wrapLine([{ text: '   ' }, { text: 'In fact: ', role: 'ok' }, ...parseInline(c.truth)], width, indent));
    lines.push(
      ...wrapLine(
        [{ text: '   ' }, { text: 'Seen: ', role: 'dim' }, ...parseInline(c.evidence, 'dim'), ...(c.stepNumber ? [{ text: ` (step ${c.stepNumber}, ${c.stepTitle})`, role: 'dim' as const }] : [])],
        width,
        indent,
      ),
    );
  });

  section('Next');
  lines.push(...wrapLine([{ text: `Workshop: ${w.lessonsDone}/${w.lessonCount} lessons done, ${w.stepsDone}/${plural(w.stepCount, 'step')}.`, role: 'dim' }], width));
  lines.push(
    ...wrapLine(
      w.next
        ? [{ text: 'n', role: 'key' }, { text: ' opens ' }, { text: w.next.title, role: 'bold' }, { text: ` (${w.next.reason})`, role: 'dim' }]
        : [{ text: 'Every lesson is done. ', role: 'ok' }, { text: '`agw-workshop cleanup --all` removes what they made.', role: 'dim' }],
      width,
      [{ text: '  ' }],
    ),
  );
  return lines;
}
