// --report FILE.md: what each step did and, for probes, observed vs expected,
// as a markdown document an author or CI can attach to a run.
import type { RunnerEvent } from '../lesson/events.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export class MarkdownReport {
  private readonly events: RunnerEvent[] = [];

  readonly listener = (event: RunnerEvent): void => {
    this.events.push(event);
  };

  render(): string {
    const lines: string[] = [];
    const titles = new Map<string, string>();
    for (const event of this.events) {
      switch (event.type) {
        case 'lesson-start':
          titles.set(`${event.lessonId}`, event.title);
          lines.push(`# ${event.title} (\`${event.lessonId}\`)`, '', `${event.stepCount} steps, starting at step ${event.fromStep + 1}.`, '');
          break;
        case 'step-start':
          lines.push(`## ${event.index + 1}. ${event.title}`, '', `Kind: ${event.kind}`, '');
          break;
        case 'command':
          lines.push('```sh', event.command, '```', '');
          break;
        case 'output':
          lines.push('```', event.text, '```', '');
          break;
        case 'probe-result': {
          lines.push('| field | expected | observed | |', '|---|---|---|---|');
          for (const v of event.verdicts) lines.push(`| ${cell(v.field)} | ${cell(v.expected)} | ${cell(v.observed)} | ${v.ok ? '✅' : '❌'} |`);
          lines.push('');
          if (event.explanation) {
            lines.push(`**Why:** ${event.explanation.title} — ${event.explanation.cause}`, '');
            if (event.explanation.fix) lines.push(`**Fix:** ${event.explanation.fix}`, '');
          }
          break;
        }
        case 'step-end':
          lines.push(`Result: **${event.status === 'interrupted' ? 'paused (progress saved)' : event.status}** in ${event.ms} ms${event.error ? ` — ${event.error}` : ''}`, '');
          break;
        case 'lesson-end':
          lines.push(
            `**${titles.get(event.lessonId) ?? event.lessonId}: ${event.status === 'interrupted' ? 'paused (progress saved)' : event.status}** in ${(event.ms / 1000).toFixed(1)} s` +
              `${event.failedSteps.length ? `; failed steps: ${event.failedSteps.map((i) => i + 1).join(', ')}` : ''}.`,
            '',
          );
          break;
        default:
          break;
      }
    }
    return `${lines.join('\n').trimEnd()}\n`;
  }
}
