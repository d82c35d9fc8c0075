// The right-hand pane of the lesson screen as lines: the step's text, its
// YAML, its equivalent commands, what it printed, and observed vs expected.
import type { StepView } from '../model.js';
import type { StepCommand } from '../../lesson/step-commands.js';
import { hardWrap, type Line, wrapLine } from '../common/lines.js';
import { headingLines, markdownToLines } from '../common/markdown.js';
import { highlightYaml } from '../common/yaml-highlight.js';
import { probeSummaryLines } from '../common/probe-lines.js';
import { explanationLines, verdictTableLines } from '../common/verdict-lines.js';
import type { StepRun } from './run-state.js';
import { foldCommand } from '../../lesson/shell-wrap.js';

export interface StepDetail {
  lines: Line[];
  /** Line index where the observed-vs-expected section starts (to scroll to it). */
  resultAt?: number;
}

export interface StepDetailOptions {
  presenter?: boolean;
  /** Output lines shown (the newest). */
  outputLines?: number;
}

function section(title: string, width: number, presenter: boolean): Line[] {
  return [[], ...headingLines(title, 3, width, { presenter: false }).map((l) => (presenter ? l.map((s) => ({ ...s, role: 'banner' as const })) : l))];
}

/** Commands as pasteable lines: folded between arguments with ` \\` continuations (lesson/shell-wrap.ts), never inside a word. */
export function commandLines(commands: StepCommand[], width: number): Line[] {
  const out: Line[] = [];
  for (const { command } of commands) {
    // `$ ` is a prompt, not part of the command. Later lines get no prefix: what is copied must be exactly
    // the command (a split argument continues at column 0, a here-document's EOF must start its line).
    foldCommand(command, Math.max(width - 2, 20), 4).forEach((text, i) => {
      out.push(i === 0 ? [{ text: '$ ', role: 'dim' }, { text, role: 'code' }] : [{ text, role: 'code' }]);
    });
  }
  return out;
}

export function stepDetailLines(step: StepView, index: number, run: StepRun | undefined, width: number, options: StepDetailOptions = {}): StepDetail {
  const presenter = options.presenter ?? false;
  const lines: Line[] = [];
  const title = `Step ${index + 1} · ${step.title}`;
  lines.push(...(presenter ? headingLines(title, 1, width, { presenter: true }) : wrapLine([{ text: title, role: 'heading' }, { text: `  ${step.kind}`, role: 'dim' }], width)));
  if (presenter && step.presenterNotes) {
    lines.push([{ text: '┃ Presenter notes', role: 'accent' }]);
    for (const l of markdownToLines(step.presenterNotes, width - 2)) lines.push([{ text: '┃ ', role: 'accent' }, ...l]);
  }
  if (step.text) {
    lines.push([]);
    lines.push(...markdownToLines(step.text, width, { presenter }));
  }
  if (step.yaml) {
    lines.push(...section('Manifest', width, presenter));
    for (const l of highlightYaml(step.yaml)) lines.push(...hardWrap(l, width));
  }
  // The lesson's equivalent commands, plus any the runner reported that differ (filled-in variables).
  const commands = [...step.commands];
  for (const c of run?.commands ?? []) if (!commands.some((k) => k.command === c.command)) commands.push(c);
  if (commands.length) {
    lines.push(...section('Same thing by hand', width, presenter));
    lines.push(...commandLines(commands, width));
  }
  if (run?.error) {
    lines.push(...section('Error', width, presenter));
    lines.push(...wrapLine([{ text: run.error, role: 'fail' }], width));
  }
  if (run && run.output.length) {
    lines.push(...section('Output', width, presenter));
    const shown = run.output.slice(-(options.outputLines ?? 40));
    for (const l of shown) lines.push(...hardWrap([{ text: l, role: 'dim' }], width));
  }
  let resultAt: number | undefined;
  if (run?.probe) {
    lines.push([]);
    resultAt = lines.length;
    lines.push(...section('Observed vs expected', width, presenter).slice(1));
    lines.push(...verdictTableLines(run.probe.verdicts, width));
    const explained = explanationLines(run.probe.explanation, width);
    if (explained.length) lines.push([], ...explained);
    lines.push(...section('What the probe saw', width, presenter));
    lines.push(...probeSummaryLines(run.probe.result, width));
  }
  return { lines, resultAt };
}
