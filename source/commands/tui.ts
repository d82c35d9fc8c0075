// agw-workshop [--presenter] [--context NAME] [--kubeconfig FILE]
// Opens the workshop's TUI. Ink and React are imported only here, and only when
// there is a terminal: without a TTY (pipes, CI) it prints the lessons and how
// to run them headless instead.
import { parseFlags } from '../report/parse-flags.js';

const usage = `Usage: agw-workshop [--presenter] [--context NAME] [--kubeconfig FILE]

Opens the workshop in the terminal.
  --presenter        instructor mode: big headings, presenter notes, the cursor never moves on its own
  --context NAME     use this kube context instead of the embedded cluster
  --kubeconfig FILE  use this kubeconfig instead of the embedded cluster

Without a terminal (CI, pipes) it lists the lessons; run one with: agw-workshop run <id> --yes
NO_COLOR=1 turns colours off.`;

/** A terminal we can draw on: both ends are TTYs and no CI says otherwise. */
export function interactive(env: NodeJS.ProcessEnv = process.env, stdin = process.stdin, stdout = process.stdout): boolean {
  if (!stdin.isTTY || !stdout.isTTY) return false;
  // The same test Ink applies (is-in-ci): in CI Ink draws only a final frame, so go headless.
  const set = (key: string) => key in env && env[key] !== '0' && env[key] !== 'false';
  if (set('CI') || set('CONTINUOUS_INTEGRATION')) return false;
  return env.TERM !== 'dumb';
}

async function headless(): Promise<number> {
  process.stdout.write('agw-workshop: no interactive terminal here, so here are the lessons instead of the workshop screen.\n\n');
  const list = await import('./list.js');
  const code = await list.run([]);
  process.stdout.write('Run a lesson headless: agw-workshop run <id> --yes   (add --json for machine-readable events)\n');
  return code;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(usage, {
    args: argv,
    options: {
      presenter: { type: 'boolean' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (!interactive()) return headless();

  const { colorFromEnv } = await import('../tui/common/theme.js');
  const color = colorFromEnv();
  // chalk (under Ink and @inkjs/ui) ignores NO_COLOR; FORCE_COLOR=0 makes it agree before it loads.
  if (!color) process.env.FORCE_COLOR = '0';
  // React is CommonJS: its exports are the default export, in Node and in the command bundle alike.
  const [{ default: React }, { render }, { App }, { createLiveServices }] = await Promise.all([
    import('react'),
    import('ink'),
    import('../tui/app/App.js'),
    import('../tui/services/live-services.js'),
  ]);
  const services = createLiveServices({ context: values.context, kubeconfig: values.kubeconfig });
  // The alternate screen keeps the learner's scrollback as it was when the workshop closes.
  process.stdout.write('\u001B[?1049h\u001B[H');
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.stdout.write('\u001B[?1049l');
  };
  process.once('exit', restore);
  const instance = render(React.createElement(App, { services, presenter: values.presenter ?? false, color }), { exitOnCtrlC: true });
  try {
    await instance.waitUntilExit();
  } finally {
    await services.shutdown();
    instance.cleanup();
    restore();
  }
  process.stdout.write('Workshop closed. A started cluster keeps running (kubectl still works).\nStop it with: agw-workshop cluster down\n');
  return 0;
}
