// The end of a lesson: what you did, what you saw, what the lab text gets
// wrong, and the next lesson (n). Scrolls; fits 80x24 with its keys listed.
import React from 'react';
import { Box, Text } from 'ink';
import { useKeys } from '../common/use-keys.js';
import type { Navigator } from '../app/navigation.js';
import { handleGlobalKey, handleScrollKey } from '../app/common-keys.js';
import { screenKeys } from '../app/keys.js';
import { useUiOptions } from '../app/ui-options.js';
import { Footer, footerHeight } from '../common/Footer.js';
import { LinesView } from '../common/LinesView.js';
import { useScroll } from '../common/use-scroll.js';
import type { TerminalSize } from '../common/use-terminal-size.js';
import type { LessonSession } from '../lesson/use-lesson-session.js';
import { summaryLines } from './summary-lines.js';

export function SummaryScreen({ nav, lessonId, session, size }: { nav: Navigator; lessonId: string; session: LessonSession; size: TerminalSize }) {
  const { presenter } = useUiOptions();
  const summary = session.run?.lessonId === lessonId ? session.run.summary : undefined;
  const lines = summary ? summaryLines(summary, size.columns, { presenter }) : [];
  const height = Math.max(size.rows - footerHeight(screenKeys.summary, size.columns), 3);
  const { offset, scroll } = useScroll(lines.length, height);
  useKeys((input, key) => {
    if (handleGlobalKey(input, key, nav)) return;
    if (key.return) nav.back();
    else if (input === 'h') nav.home();
    else if (input === 'n' && summary?.workshop.next) nav.openLesson(summary.workshop.next.id);
    else if (key.upArrow || input === 'k') scroll({ type: 'by', delta: -1 });
    else if (key.downArrow || input === 'j') scroll({ type: 'by', delta: 1 });
    else handleScrollKey(input, key, scroll);
  });
  return (
    <Box flexDirection="column" height={size.rows}>
      <Box flexDirection="column" height={height}>
        {summary ? <LinesView lines={lines} offset={offset} height={height} /> : <Text>{`${lessonId} is not finished yet: no summary.`}</Text>}
      </Box>
      <Footer bindings={screenKeys.summary} width={size.columns} />
    </Box>
  );
}
