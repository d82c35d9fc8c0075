// Home: the lessons with their progress, the cluster in use, the gateway's readiness.
import React from 'react';
import { Box } from 'ink';
import { useKeys } from '../common/use-keys.js';
import type { Navigator } from '../app/navigation.js';
import { handleGlobalKey } from '../app/common-keys.js';
import { screenKeys } from '../app/keys.js';
import { useServices } from '../app/services-context.js';
import { useUiOptions } from '../app/ui-options.js';
import { Footer, footerHeight } from '../common/Footer.js';
import { LinesView } from '../common/LinesView.js';
import { type Line, wrapLine } from '../common/lines.js';
import { headingLines } from '../common/markdown.js';
import type { TerminalSize } from '../common/use-terminal-size.js';
import { clusterLines, homeProgress, lessonRow, workshopLines } from './home-lines.js';
import { useHome } from './use-home.js';

/** `onListed`: called once the lessons are listed (or failed to be). */
export function HomeScreen({ nav, size, lastLessonId, onListed }: { nav: Navigator; size: TerminalSize; lastLessonId?: string; onListed?: () => void }) {
  const services = useServices();
  const { presenter } = useUiOptions();
  const { state, move, chosen: chosenNow, refresh } = useHome(services, lastLessonId, onListed);
  const width = size.columns;

  useKeys((input, key) => {
    if (key.escape) return; // nothing behind home
    if (handleGlobalKey(input, key, nav)) return;
    if (key.upArrow || input === 'k') move(-1);
    else if (key.downArrow || input === 'j') move(1);
    else if (input === 'r') refresh();
    else if (key.return) {
      const lesson = chosenNow();
      if (lesson) nav.push({ name: 'lesson', lessonId: lesson.id });
    }
  });

  const top: Line[] = [
    ...headingLines('agw-workshop · TLS at API gateways', 1, width, { presenter }),
    ...clusterLines(state.cluster, state.checking, state.clusterError, width),
    ...(state.lessons?.length ? [[], ...workshopLines(homeProgress(state.lessons), width)] : []),
    [],
    [{ text: 'Lessons', role: 'heading' }],
  ];
  const lessons: Line[] = state.lessonsError
    ? wrapLine([{ text: `Could not list the lessons: ${state.lessonsError}`, role: 'fail' }], width)
    : !state.lessons
      ? [[{ text: 'Loading lessons…', role: 'dim' }]]
      : state.lessons.length === 0
        ? [[{ text: 'No lessons found.', role: 'dim' }]]
        : state.lessons.map((lesson, i) => lessonRow(lesson, i === state.selected, width));
  const chosen = state.lessons?.[state.selected];
  const about: Line[] = chosen?.summary ? [[], ...wrapLine([{ text: chosen.summary, role: 'dim' }], width)] : [];
  const footer = footerHeight(screenKeys.home, width);
  const room = Math.max(size.rows - footer - 1, 1);
  // Keep the chosen lesson visible when there are more lessons than rows.
  const listRoom = Math.max(room - top.length - about.length, 1);
  const first = Math.max(0, Math.min(state.selected - listRoom + 1, lessons.length - listRoom));
  const body = [...top, ...lessons.slice(Math.max(first, 0), Math.max(first, 0) + listRoom), ...about].slice(0, room);

  return (
    <Box flexDirection="column" height={size.rows}>
      <Box flexDirection="column" flexGrow={1}>
        <LinesView lines={body} />
      </Box>
      <Footer bindings={screenKeys.home} width={width} />
    </Box>
  );
}
