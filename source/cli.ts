#!/usr/bin/env node
// Bootstrap: imports nothing heavy. Each command is loaded with a dynamic
// import only when it runs, so `--help`, `--version`, `run --json` and
// `cleanup` never load Ink or React (Shopify cli-kit's lazy bootstrap).
import { readFileSync } from 'node:fs';
import module from 'node:module';

// Node 22+ caches compiled code between launches (in the OS temp dir); every
// command and every pod process starts through here, so one call covers them.
// Not on Node 20, where the function does not exist.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

type CommandModule = { run(argv: string[]): Promise<number> };

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
  /** Hidden commands are what pods run; learners don't type them. */
  hidden?: boolean;
}

const commands: Record<string, CommandEntry> = {
  list: { summary: 'List the lessons and your progress', load: () => import('./commands/list.js') },
  run: { summary: 'Run a lesson headless: run <id> [--step N] [--yes] [--json] [--report FILE.md]', load: () => import('./commands/run.js') },
  cleanup: { summary: 'Remove what a lesson created: cleanup <id>|--all [--yes] [--json]', load: () => import('./commands/cleanup.js') },
  replay: { summary: 'Clean up a lesson, then run it again: replay <id> [--yes] [--json]', load: () => import('./commands/replay.js') },
  check: { summary: 'Check your own work by its effect, without running anything: check <id> [step] [--json]', load: () => import('./commands/check.js') },
  'catch-up': { summary: 'Run everything before a step without stopping: catch-up <id>[:step]', load: () => import('./commands/catch-up.js') },
  doctor: { summary: 'Check Node, the cluster, loopback addressing and kubectl/curl/openssl', load: () => import('./commands/doctor.js') },
  cluster: { summary: 'The embedded cluster: cluster up|down|status|kubeconfig|reset', load: () => import('./commands/cluster.js') },
  probe: { summary: 'Probe a TLS/HTTP endpoint like curl -v, and explain the handshake: probe URL [curl flags]', load: () => import('./commands/probe.js') },
  gateway: { summary: 'The gateway: gateway controller | gateway proxy (what its pods run)', load: () => import('./commands/gateway.js') },
  workload: { summary: 'A built-in workload (what pods of known images run)', load: () => import('./commands/workload.js'), hidden: true },
  tui: { summary: 'Open the workshop (the default)', load: () => import('./commands/tui.js'), hidden: true },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function versionOrUnknown(): string {
  try {
    return version();
  } catch {
    return '(version unknown)';
  }
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands)
    .filter(([, entry]) => !entry.hidden)
    .map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'agw-workshop — an interactive workshop on TLS at API gateways',
    '',
    'Usage: agw-workshop [command] [options]',
    '       agw-workshop                 open the workshop (interactive; headless without a TTY)',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --help, -h     show this help (also: agw-workshop <command> --help)',
    '  --version, -v  print the version',
    '  --presenter    (workshop) instructor mode: larger headings, presenter notes',
    '',
    'State lives in $AGW_WORKSHOP_HOME (default: the platform state directory).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  if (first === undefined || first.startsWith('-')) {
    const tui = await commands.tui!.load();
    return tui.run(argv);
  }
  const entry = commands[first];
  if (!entry) {
    process.stderr.write(`agw-workshop: unknown command "${first}"\n\n${help()}\n`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    // A user error (e.g. a mistyped flag, report/parse-flags.ts) is said plainly with its exit code; a bug says how to report it, with the stack.
    // The reporter loads only then: every start pays for each module it imports.
    const { errorReport } = await import('./common/errors.js');
    const { text, exitCode } = errorReport(error, { version: versionOrUnknown(), command: process.argv.slice(2).join(' '), debug: Boolean(process.env.AGW_DEBUG) });
    process.stderr.write(text);
    process.exitCode = exitCode;
  },
);
