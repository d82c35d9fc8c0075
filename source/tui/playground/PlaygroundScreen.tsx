// Probe playground: change what the probe sends (SNI, Host, path, client
// certificate, CA, ALPN), run it again, and read what happened and why.
import React, { useEffect, useMemo } from 'react';
import { Box, Text } from 'ink';
import { useKeys } from '../common/use-keys.js';
import { Select, Spinner, TextInput } from '@inkjs/ui';
import type { Navigator } from '../app/navigation.js';
import { handleGlobalKey, handleScrollKey } from '../app/common-keys.js';
import { screenKeys } from '../app/keys.js';
import { useServices } from '../app/services-context.js';
import { Footer, footerHeight } from '../common/Footer.js';
import { LinesView, StyledLine } from '../common/LinesView.js';
import { type Line, truncateLine } from '../common/lines.js';
import { commandLines } from '../lesson/step-detail.js';
import { probeSummaryLines } from '../common/probe-lines.js';
import { useScroll } from '../common/use-scroll.js';
import type { TerminalSize } from '../common/use-terminal-size.js';
import { explanationLines, verdictTableLines } from '../common/verdict-lines.js';
import type { LessonSession } from '../lesson/use-lesson-session.js';
import type { LessonView, ProbeVerdict } from '../model.js';
import { focusedField, shownFields } from './playground-state.js';
import { alpnChoices, requestFromFields } from './request-fields.js';
import { probeCommand } from '../../probe/command-line.js';
import { usePlayground } from './use-playground.js';

const labelWidth = 13;

/**
 * Backspaces that reach the terminal faster than it is read arrive as one chunk,
 * which Ink hands over as text: apply them here rather than keep DEL characters.
 */
export function applyErasures(typed: string): string {
  const out: string[] = [];
  for (const char of typed) {
    if (char === '\u007F' || char === '\b') out.pop();
    else if (char >= ' ') out.push(char);
  }
  return out.join('');
}

/** Names and files the lesson's probes use: offered as completions while typing. */
function suggestionsFrom(lesson: LessonView) {
  const names = new Set<string>();
  const files = new Set<string>();
  const tokens = new Set<string>();
  for (const step of lesson.steps) {
    if (!step.probe) continue;
    const authorization = step.probe.headers?.find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    if (authorization) tokens.add(authorization);
    names.add(new URL(step.probe.url).hostname);
    if (step.probe.sni) names.add(step.probe.sni);
    for (const f of [step.probe.caFile, step.probe.certFile, step.probe.keyFile]) if (f) files.add(f);
  }
  return { names: [...names], files: [...files], tokens: [...tokens] };
}

export function verdictLines(verdict: ProbeVerdict, width: number): Line[] {
  return [
    [{ text: 'Observed vs expected', role: 'heading' }],
    ...verdictTableLines(verdict.verdicts, width),
    ...(verdict.explanation ? [[], ...explanationLines(verdict.explanation, width)] : []),
    [],
    [{ text: 'What the probe saw', role: 'heading' }],
    ...probeSummaryLines(verdict.result, width),
  ];
}

export function PlaygroundScreen(props: { nav: Navigator; lessonId: string; stepIndex: number; session: LessonSession; size: TerminalSize }) {
  const { lesson } = props.session;
  useEffect(() => props.session.open(props.lessonId), [props.lessonId, props.session.open]);
  const step = lesson?.id === props.lessonId ? lesson.steps[props.stepIndex] : undefined;
  if (!lesson || !step?.probe) {
    return (
      <Box flexDirection="column" height={props.size.rows}>
        <Box flexGrow={1}>
          <Text>{!lesson || props.session.loading ? 'Loading the lesson…' : 'This step has no probe to play with.'}</Text>
        </Box>
        <Footer bindings={screenKeys.playground} width={props.size.columns} />
      </Box>
    );
  }
  return <Playground {...props} lesson={lesson} />;
}

function Playground({ nav, lessonId, stepIndex, session, size, lesson }: { nav: Navigator; lessonId: string; stepIndex: number; session: LessonSession; size: TerminalSize; lesson: LessonView }) {
  const services = useServices();
  const step = lesson.steps[stepIndex]!;
  const suggestions = useMemo(() => suggestionsFrom(lesson), [lesson]);
  const { state, dispatch, run } = usePlayground(services, lessonId, stepIndex, step.probe!, session.run?.steps[stepIndex]?.probe, { authorization: suggestions.tokens.length > 0 });
  const width = size.columns;
  const field = focusedField(state);

  useKeys(
    (input, key) => {
      if (handleGlobalKey(input, key, nav)) return;
      if (handleScrollKey(input, key, scroll)) return;
      if (key.upArrow || (key.tab && key.shift) || input === 'k') dispatch({ type: 'focus', delta: -1 });
      else if (key.downArrow || key.tab || input === 'j') dispatch({ type: 'focus', delta: 1 });
      else if (key.return) dispatch({ type: 'edit' });
      else if (input === 'r') run();
      else if (input === 'c') dispatch({ type: 'clear' });
      else if (input === 'x') dispatch({ type: 'reset' });
    },
    { isActive: !state.editing },
  );
  // While a field is edited the text input owns the keys; Esc alone cancels.
  useKeys((_input, key) => key.escape && dispatch({ type: 'cancel' }), { isActive: state.editing });

  // Every line of the command: a cut command cannot be pasted.
  const command = commandLines([{ tool: 'shell', command: probeCommand(requestFromFields(state.base, state.fields)) }], width);
  const editorRows = state.editing ? (field.name === 'alpn' ? alpnChoices.length : 1) : 0;
  const footer = footerHeight(screenKeys.playground, width);
  // Title, blank, fields, editor, command, status, footer (and a blank above the result when there is room).
  const gap = size.rows > 30 ? 1 : 0;
  const resultHeight = Math.max(size.rows - 2 - state.shown.length - editorRows - command.length - gap - 1 - footer, 2);
  const result: Line[] = state.verdict ? verdictLines(state.verdict, width) : [[{ text: 'Press r to send the probe.', role: 'dim' }]];
  const { offset, scroll } = useScroll(result.length, resultHeight);
  // A new result (r again) is read from its top, not where the last one was scrolled to.
  useEffect(() => scroll({ type: 'home' }), [state.runs, scroll]);

  const title: Line = truncateLine(
    [
      { text: 'Probe playground', role: 'heading' },
      { text: ` · ${lesson.title} · step ${stepIndex + 1}: ${step.title}`, role: 'dim' },
    ],
    width,
  );
  const status: Line = state.editing
    ? [{ text: `Editing ${field.label}: `, role: 'accent' }, { text: field.name === 'alpn' ? '↑/↓ then ⏎ chooses, Esc cancels' : 'type a value, ⏎ takes it (or the grey completion); Esc keeps the old one', role: 'dim' }]
    : state.error
    ? [{ text: `✘ The probe could not run: ${state.error}`, role: 'fail' }]
    : state.verdict
      ? [
          { text: state.verdict.ok ? '✔ as the lesson expects' : '✘ not what the lesson expects', role: state.verdict.ok ? 'ok' : 'fail' },
          { text: state.source === 'lesson' ? '  (result of the lesson run; r sends again)' : `  (run ${state.runs} from the playground)`, role: 'dim' },
        ]
      : [{ text: 'c clears a field (empty SNI sends none)', role: 'dim' }];

  return (
    <Box flexDirection="column" height={size.rows}>
      <StyledLine line={title} />
      <Text> </Text>
      {shownFields(state).map((f, i) => {
        const focused = i === state.focus;
        const value = state.fields[f.name];
        const head: Line = [
          { text: focused ? '› ' : '  ', role: 'key' },
          { text: f.label.padEnd(labelWidth), role: focused ? 'bold' : 'dim' },
        ];
        if (focused && state.editing && f.name !== 'alpn') {
          const options = f.name === 'sni' || f.name === 'host' ? suggestions.names : f.name === 'path' ? [] : f.name === 'auth' ? suggestions.tokens : suggestions.files;
          return (
            <Box key={f.name}>
              <StyledLine line={head} />
              <TextInput
                placeholder={value || f.empty}
                suggestions={options}
                onSubmit={(typed) => dispatch(typed === '' ? { type: 'cancel' } : { type: 'commit', value: applyErasures(typed) })}
              />
            </Box>
          );
        }
        const shown = f.name === 'alpn' ? (alpnChoices.find((c) => c.value === value)?.label ?? value) : value;
        return (
          <Box key={f.name} flexDirection="column">
            <StyledLine line={truncateLine([...head, { text: shown || f.empty, role: shown ? 'code' : 'dim' }], width)} />
            {focused && state.editing && (
              <Box marginLeft={labelWidth + 2}>
                <Select options={alpnChoices} defaultValue={value} onChange={(v) => dispatch({ type: 'commit', value: v })} />
              </Box>
            )}
          </Box>
        );
      })}
      <LinesView lines={command} />
      <Box height={resultHeight} flexDirection="column" marginTop={gap}>
        {state.running ? <Spinner label="Probing…" /> : <LinesView lines={result} offset={offset} height={resultHeight} />}
      </Box>
      <StyledLine line={truncateLine(status, width)} />
      <Footer bindings={screenKeys.playground} width={width} />
    </Box>
  );
}
