// Hands-on mode's part of the step pane, as lines: the check's verdict
// (observed vs expected), the prediction, the hints given so far, the real
// tool's output beside our probe's verdict, and the keys.
import { hardWrap, type Line, wrapLine } from '../common/lines.js';
import type { ProbeVerdict } from '../model.js';
import type { HandsOnStepData, PredictionVerdictView, StepCheckView, ToolRunView } from './model.js';

export interface HandsOnStepState {
  check?: StepCheckView;
  checking: boolean;
  data?: HandsOnStepData;
  hintsShown: number;
  answer?: number;
  prediction?: PredictionVerdictView;
  tool?: { running: boolean; result?: ToolRunView; error?: string };
  /** Our probe's verdict for this step, when the workshop ran it. */
  probe?: ProbeVerdict;
  lastEvent?: string;
}

const MAX_TOOL_LINES = 14;

function wrap(line: Line, width: number): Line[] {
  return wrapLine(line, width, [{ text: '    ' }]);
}

/** curl -v's and openssl's informative lines: `*` info, `>` sent, `<` received. */
export function verboseLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^[*<>] |^curl: \(\d+\)|^(verify|depth|subject|issuer)\b/.test(l));
}

export function handsOnLines(state: HandsOnStepState, width: number): Line[] {
  const out: Line[] = [];
  out.push([{ text: '── Hands-on ', role: 'accent' }, { text: '─'.repeat(Math.max(0, width - 12)), role: 'dim' }]);
  const c = state.check;
  if (!c) out.push([{ text: state.checking ? '… checking' : '… not checked yet', role: 'dim' }]);
  else if (c.status === 'nothing') out.push(...wrap([{ text: '· ', role: 'dim' }, { text: c.message, role: 'dim' }], width));
  else if (c.holds) out.push(...wrap([{ text: '✔ Seen: ', role: 'ok' }, { text: c.message }], width));
  else out.push(...wrap([{ text: c.status === 'mismatch' ? '✘ Not as expected: ' : c.status === 'unobservable' ? '? Cannot be seen: ' : '○ Not yet: ', role: c.status === 'mismatch' ? 'fail' : 'warn' }, { text: c.message }], width));
  const compared = (c?.findings ?? []).filter((f) => f.expected !== undefined || f.observed !== undefined);
  if (compared.length && c?.status !== 'nothing') {
    for (const f of compared.slice(0, 8)) {
      out.push(...wrap([{ text: f.ok ? '  ✔ ' : '  ✘ ', role: f.ok ? 'ok' : 'fail' }, { text: f.subject, role: 'bold' }], width));
      if (f.expected !== undefined) out.push(...wrap([{ text: '      expected ', role: 'dim' }, { text: f.expected }], width));
      if (f.observed !== undefined) out.push(...wrap([{ text: '      observed ', role: 'dim' }, { text: f.observed }], width));
    }
  }
  if (state.lastEvent) out.push(...hardWrap([{ text: `  last seen: ${state.lastEvent}`, role: 'dim' }], width));

  const tool = state.tool;
  if (tool) {
    out.push([]);
    if (tool.running) out.push([{ text: '… running the shown command with the real tool', role: 'dim' }]);
    else if (tool.error) out.push(...wrap([{ text: '✘ ', role: 'fail' }, { text: tool.error }], width));
    else if (tool.result?.missing) {
      out.push(...wrap([{ text: `✘ ${tool.result.missing.tool} is not installed. `, role: 'fail' }, { text: `Install it: ${tool.result.missing.hint}` }], width));
    } else if (tool.result) {
      const r = tool.result;
      out.push(...wrap([{ text: `Real ${r.tool}: `, role: 'accent' }, { text: `exit ${r.exitCode}`, role: r.exitCode === 0 ? 'ok' : 'warn' }, { text: ` in ${r.ms} ms`, role: 'dim' }], width));
      const verbose = verboseLines(r.stderr);
      const shown = (verbose.length ? verbose : r.stderr.split('\n').filter(Boolean)).slice(-MAX_TOOL_LINES);
      for (const l of shown) out.push(...hardWrap([{ text: `  ${l}`, role: 'dim' }], width));
      const body = r.stdout.split('\n').filter(Boolean).slice(0, 6);
      for (const l of body) out.push(...hardWrap([{ text: `  ${l}` }], width));
    }
    if (state.probe) {
      out.push(...wrap([{ text: 'Our probe: ', role: 'accent' }, { text: state.probe.ok ? '✔ as expected' : '✘ differs', role: state.probe.ok ? 'ok' : 'fail' }, { text: ` · ${state.probe.result.outcome}, curl exit ${state.probe.result.curlExitCode}${state.probe.explanation ? ` · ${state.probe.explanation.title}` : ''}` }], width));
      if (tool.result?.exitCode !== undefined && !tool.result.missing) {
        const agree = tool.result.exitCode === state.probe.result.curlExitCode;
        out.push(...wrap([{ text: agree ? '  The real tool and the probe agree.' : `  They differ: the real tool exited ${tool.result.exitCode}, the probe expects curl to exit ${state.probe.result.curlExitCode}.`, role: agree ? 'ok' : 'warn' }], width));
      }
    }
  }

  const predict = state.data?.predict;
  if (predict) {
    out.push([]);
    out.push(...wrap([{ text: 'Predict: ', role: 'accent' }, { text: predict.question, role: 'bold' }], width));
    predict.choices.forEach((choice, i) => {
      const mark = state.prediction ? (state.prediction.matching.includes(i) ? '✔' : ' ') : ' ';
      const yours = state.answer === i ? '  ← your answer' : '';
      out.push(...wrap([{ text: `  ${mark} ${i + 1}) `, role: mark === '✔' ? 'ok' : 'key' }, { text: choice }, { text: yours, role: 'accent' }], width));
    });
    if (state.answer === undefined) out.push([{ text: `  press 1-${predict.choices.length} before you run the command`, role: 'dim' }]);
    else if (!state.prediction) out.push([{ text: '  waiting for the real observation…', role: 'dim' }]);
    else {
      out.push(...wrap([{ text: state.prediction.right ? '  Right. ' : '  Not this time. ', role: state.prediction.right ? 'ok' : 'fail' }, { text: `Observed: ${state.prediction.observed}` }], width));
    }
  }

  const hints = state.data?.hints ?? [];
  if (hints.length && state.hintsShown > 0) {
    out.push([]);
    hints.slice(0, state.hintsShown).forEach((hint, i) => out.push(...wrap([{ text: `Hint ${i + 1}/${hints.length}: `, role: 'accent' }, { text: hint }], width)));
  }

  out.push([]);
  out.push(...wrap([{ text: 'c', role: 'key' }, { text: ' copy  ' }, { text: 'x', role: 'key' }, { text: ' run it here  ' }, { text: 'h', role: 'key' }, { text: ' hint  ' }, { text: '⏎', role: 'key' }, { text: ' do it for me  ' }, { text: 'g', role: 'key' }, { text: ' bring me here  ' }, { text: 'C', role: 'key' }, { text: ' cleanup  ' }, { text: 'R', role: 'key' }, { text: ' replay  ' }, { text: 'm', role: 'key' }, { text: ' leave hands-on' }], width));
  out.push([{ text: '─'.repeat(Math.max(0, width)), role: 'dim' }]);
  return out;
}
