// Lesson: steps on the left, the chosen step on the right (text, YAML,
// commands, output, observed vs expected), a status line with the spinner.
import React, { useEffect, useMemo, useRef } from 'react';
import { Box, Text } from 'ink';
import { useKeys } from '../common/use-keys.js';
import { Spinner } from '@inkjs/ui';
import type { Navigator } from '../app/navigation.js';
import { handleGlobalKey, handleScrollKey } from '../app/common-keys.js';
import { screenKeys } from '../app/keys.js';
import { useUiOptions } from '../app/ui-options.js';
import { Footer, footerHeight } from '../common/Footer.js';
import { LinesView, StyledLine } from '../common/LinesView.js';
import { type Line, truncateLine } from '../common/lines.js';
import { useScroll } from '../common/use-scroll.js';
import type { TerminalSize } from '../common/use-terminal-size.js';
import { formatElapsed, useNow } from '../common/use-now.js';
import type { LessonSession } from './use-lesson-session.js';
import { stepDetailLines } from './step-detail.js';
import { stepListLines } from './step-list.js';
import { useLessonScreen } from './use-lesson-screen.js';
import { useTraceView } from '../traces/use-trace-view.js';
import { doneCount, type LessonRunState, type StepRun } from './run-state.js';
import { useServices } from '../app/services-context.js';
import { useHandsOn } from '../hands-on/use-hands-on.js';

export function LessonScreen({ nav, lessonId, session, size }: { nav: Navigator; lessonId: string; session: LessonSession; size: TerminalSize }) {
  const { presenter } = useUiOptions();
  useEffect(() => session.open(lessonId), [lessonId, session.open]);
  const lesson = session.lesson?.id === lessonId ? session.lesson : undefined;
  const run = lesson && session.run?.lessonId === lessonId ? session.run : undefined;
  const stepCount = lesson?.steps.length ?? 0;
  const { selected, move, chosen } = useLessonScreen(run, stepCount, presenter);
  const handsOn = useHandsOn(useServices().handsOn, lesson, session);

  const width = size.columns;
  const listWidth = width >= 60 ? Math.min(40, Math.floor(width * 0.32)) : 0;
  const detailWidth = width - listWidth - (listWidth ? 3 : 0);
  const footer = footerHeight(screenKeys.lesson, width);
  // Header line + blank, status line, footer.
  const bodyHeight = Math.max(size.rows - 2 - 1 - footer, 3);

  const step = lesson?.steps[selected];
  const stepRun = run?.steps[selected];
  const detail = useMemo(() => {
    const own = step ? stepDetailLines(step, selected, stepRun, detailWidth, { presenter }) : { lines: [] as Line[] };
    const handsOnPart = handsOn.lines(selected, detailWidth, stepRun);
    return { lines: [...handsOnPart, ...own.lines], resultAt: own.resultAt === undefined ? undefined : own.resultAt + handsOnPart.length };
  }, [step, selected, stepRun, detailWidth, presenter, handsOn.lines]);
  const traceView = useTraceView(detailWidth);
  const shownLines = traceView.shown ? traceView.lines : detail.lines;
  const { offset, scroll, canScroll } = useScroll(shownLines.length, bodyHeight);

  // A new step starts at its top; a fresh probe result scrolls into view.
  useEffect(() => scroll({ type: 'home' }), [selected, scroll]);
  const seenProbe = useRef(stepRun?.probe);
  // The lesson's end (every step done, by a run or by hand) opens its summary once; e opens it again.
  const seenSummary = useRef(run?.summary);
  useEffect(() => {
    if (run?.summary && run.summary !== seenSummary.current) nav.push({ name: 'summary', lessonId });
    seenSummary.current = run?.summary;
  }, [run?.summary, nav, lessonId]);
  useEffect(() => {
    if (stepRun?.probe && stepRun.probe !== seenProbe.current && detail.resultAt !== undefined) scroll({ type: 'to', offset: detail.resultAt });
    seenProbe.current = stepRun?.probe;
  }, [stepRun?.probe, detail.resultAt, scroll]);

  useKeys((input, key) => {
    if (lesson && handsOn.onKey(input, key, chosen())) return;
    if (handleGlobalKey(input, key, nav)) return;
    if (handleScrollKey(input, key, scroll)) return;
    if (!lesson) return;
    if (key.upArrow || input === 'k') move(-1);
    else if (key.downArrow || input === 'j') move(1);
    else if (key.return) session.runSteps(chosen(), chosen());
    else if (input === 'a') session.runSteps(chosen());
    else if (input === 's') void session.stop();
    else if (input === 't') traceView.toggle();
    else if (input === 'e' && run?.summary) nav.push({ name: 'summary', lessonId });
    else if (input === 'p' && lesson.steps[chosen()]?.probe) nav.push({ name: 'playground', lessonId, stepIndex: chosen() });
  });

  if (!lesson) {
    return (
      <Box flexDirection="column" height={size.rows}>
        <Box flexGrow={1}>
          <Text>{session.error ? `Could not load lesson ${lessonId}: ${session.error}` : `Loading lesson ${lessonId}…`}</Text>
        </Box>
        <Footer bindings={screenKeys.lesson} width={width} />
      </Box>
    );
  }

  const shownRuns = handsOn.runs(run?.steps ?? []);
  const header: Line = truncateLine(
    [
      { text: lesson.title, role: presenter ? 'banner' : 'heading' },
      // The count the step list shows (hands-on ticks included); saved progress as home and `list` count it otherwise.
      { text: `  step ${selected + 1}/${stepCount} · ${run ? doneCount({ ...run, steps: shownRuns }) : lesson.completed.length}/${stepCount} done`, role: 'dim' },
      { text: canScroll ? `  lines ${offset + 1}-${Math.min(offset + bodyHeight, shownLines.length)}/${shownLines.length}` : '', role: 'dim' },
    ],
    width,
  );
  const list = stepListLines(lesson.steps, shownRuns, selected, listWidth, bodyHeight);

  return (
    <Box flexDirection="column" height={size.rows}>
      <StyledLine line={header} />
      <Text> </Text>
      <Box flexDirection="row" height={bodyHeight}>
        {listWidth > 0 && (
          <>
            <Box width={listWidth} flexDirection="column" flexShrink={0}>
              <LinesView lines={list} />
            </Box>
            <Box width={3} flexShrink={0} flexDirection="column">
              <LinesView lines={Array.from({ length: bodyHeight }, () => [{ text: ' │', role: 'dim' as const }])} />
            </Box>
          </>
        )}
        <Box width={detailWidth} flexDirection="column" flexShrink={0}>
          <LinesView lines={shownLines} offset={offset} height={bodyHeight} />
        </Box>
      </Box>
      {handsOn.status && !run?.running ? (
        <StyledLine line={truncateLine([{ text: handsOn.status.text, role: handsOn.status.role }], width)} />
      ) : (
      <StatusLine
        run={stepRun}
        index={selected}
        running={run?.running ?? false}
        currentIndex={run?.currentIndex ?? null}
        prerequisite={run?.prerequisite}
        cluster={run?.cluster}
        clusterProgress={run?.clusterProgress}
        runError={run?.error}
        hasProbe={Boolean(step?.probe)}
        width={width}
      />
      )}
      <Footer bindings={screenKeys.lesson} width={width} />
    </Box>
  );
}

function StatusLine(props: {
  run?: StepRun;
  index: number;
  running: boolean;
  currentIndex: number | null;
  prerequisite?: LessonRunState['prerequisite'];
  cluster?: LessonRunState['cluster'];
  clusterProgress?: string;
  runError?: string;
  hasProbe: boolean;
  width: number;
}) {
  const { run, index, running, currentIndex, prerequisite, cluster, clusterProgress, runError, hasProbe, width } = props;
  const now = useNow(running);
  const fit = (text: string) => (text.length > width - 3 ? `${text.slice(0, width - 4)}…` : text);
  // A stopped cluster is being started: say so, rather than show steps (or probe attempts) failing for no visible reason.
  if (running && cluster === 'starting') return <Spinner label={fit(`Starting the embedded cluster (it was stopped)${clusterProgress ? ` · ${clusterProgress}` : ''}`)} />;
  if (running && prerequisite) {
    const at = prerequisite.index !== undefined ? ` · step ${prerequisite.index + 1}: ${prerequisite.step}` : '';
    return <Spinner label={fit(`First the prerequisite lesson "${prerequisite.title}"${at}`)} />;
  }
  if (running && currentIndex !== null) {
    const started = cluster === 'started' ? ' (cluster just started; its gateway may need a few seconds)' : '';
    const label = `Running step ${currentIndex + 1}${started}${run && currentIndex === index && run.progress ? ` · ${run.progress}` : ''}`;
    const startedAt = currentIndex === index ? run?.startedAt : undefined;
    const elapsed = startedAt ? ` · ${formatElapsed(Math.max(now - startedAt, 0))}` : '';
    return <Spinner label={fit(`${label}${elapsed}`)} />;
  }
  if (running) return <Spinner label="Starting…" />;
  let line: Line;
  if (run?.status === 'ok') line = [{ text: `✔ Step ${index + 1} done${run.ms !== undefined ? ` in ${formatElapsed(run.ms)}` : ''}`, role: 'ok' }, ...(run.probe ? [{ text: ' · ↓ next step', role: 'dim' as const }] : [])];
  else if (run?.status === 'failed') line = [{ text: `✘ Step ${index + 1} failed${run.error ? `: ${run.error}` : ''}`, role: 'fail' }];
  else if (run?.status === 'skipped') line = [{ text: `– Step ${index + 1} skipped`, role: 'dim' }];
  else if (run?.status === 'paused') line = [{ text: `‖ Step ${index + 1} paused: progress is saved, ⏎ resumes here`, role: 'warn' }];
  else if (runError) line = [{ text: `✘ The run stopped: ${runError}`, role: 'fail' }];
  else line = [{ text: '⏎ runs this step', role: 'dim' }];
  if (hasProbe) line.push({ text: '   p opens the probe playground', role: 'dim' });
  return <StyledLine line={truncateLine(line, width)} />;
}
