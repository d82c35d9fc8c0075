// TUI to first frame: how long from launching `agw-workshop` in a real
// terminal (a detached tmux pane, 80x24) until the home screen is drawn, and
// until the lessons are listed on it. Baseline, measured the same way in the
// same run: `node -e "console.log('ready')"` until "ready" shows in the pane.
// The CPU time the launched process has used when each text shows (/proc) is
// printed too: it moves least when other work shares the machine.
// Median of several runs; loops are bounded in count and time.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'source', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 7);
// A fresh tmux server per launch: reusing a socket right after kill-server races its shutdown.
let launch = 0;
const socketName = () => `agw-bench-tui-${process.pid}-${launch}`;

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.error('bench/tui.mjs needs tmux (apt-get install tmux / brew install tmux)');
  process.exit(1);
}
if (!fs.existsSync(cli)) {
  console.error(`${cli} is missing: npm run build first`);
  process.exit(1);
}

const tmux = (...args) => execFileSync('tmux', ['-L', socketName(), '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU ms (user + system) a live process has used so far, from /proc (10 ms ticks); undefined off Linux. */
function processCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15), USER_HZ 100
  } catch {
    return undefined;
  }
}

/**
 * Start `command` in a fresh pane; resolve, per marker, the ms until it is on screen and the
 * CPU ms the pane's process had used by then (`env` execs the command, so the pane's pid is it).
 */
async function timeToText(command, env, markers, timeoutMs = 20_000) {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  launch++;
  const started = performance.now();
  // remain-on-exit: a program that dies early leaves its last screen to report.
  tmux('new-session', '-d', '-s', 'b', '-x', '80', '-y', '24', ...envArgs, ...command, ';', 'set-option', '-t', 'b', 'remain-on-exit', 'on');
  const found = {};
  const cpu = {};
  const pid = Number(tmux('display-message', '-p', '-t', 'b', '#{pane_pid}').trim());
  try {
    while (Object.keys(found).length < markers.length) {
      const screen = tmux('capture-pane', '-p', '-t', 'b');
      const now = performance.now() - started;
      for (const marker of markers) {
        if (!(marker in found) && screen.includes(marker)) {
          found[marker] = now;
          cpu[marker] = processCpuMs(pid);
        }
      }
      if (tmux('display-message', '-p', '-t', 'b', '#{pane_dead}').trim() === '1') throw new Error(`${command.join(' ')} exited early; screen:\n${screen}`);
      if (now > timeoutMs) throw new Error(`no ${markers.filter((m) => !(m in found)).join(', ')} after ${timeoutMs} ms; screen:\n${screen}`);
      await sleep(5);
    }
  } finally {
    spawnSync('tmux', ['-L', socketName(), 'kill-server'], { stdio: 'ignore' });
    // The server does not always remove its socket file when killed.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socketName()), { force: true });
  }
  return markers.map((m) => ({ ms: found[m], cpuMs: cpu[m] }));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-tui-'));
const env = { AGW_WORKSHOP_HOME: home, NO_COLOR: '', KUBECONFIG: '', TERM: 'tmux-256color' };
const unsetCi = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION'];
// BENCH_BEFORE=DIR: also launch DIR/source/cli.js (another build) in the same rounds.
const targets = [
  { label: 'TUI', cli },
  ...(process.env.BENCH_BEFORE ? [{ label: 'TUI (BENCH_BEFORE)', cli: path.resolve(process.env.BENCH_BEFORE, 'source/cli.js') }] : []),
];
const baseline = [];
const results = new Map(targets.map((t) => [t.label, { frame: [], listed: [] }]));
const loadAtStart = os.loadavg()[0];
try {
  for (let i = 0; i < runs; i++) {
    const [ready] = await timeToText([...unsetCi, process.execPath, '-e', "console.log('ready'); setTimeout(() => {}, 60000)"], env, ['ready']);
    baseline.push(ready);
    for (const target of targets) {
      const [frame, listed] = await timeToText([...unsetCi, process.execPath, target.cli], env, ['TLS at API gateways', 'SNI matching']);
      results.get(target.label).frame.push(frame);
      results.get(target.label).listed.push(listed);
    }
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const ms = (xs) => median(xs.map((x) => x.ms));
const cpu = (xs) => median(xs.map((x) => x.cpuMs ?? Number.NaN));
console.log(`runs: ${runs} (median), 80x24 tmux pane, load average ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at the end, on ${os.cpus().length} cores`);
console.log(`CPU = user+system of the launched process (/proc, 10 ms ticks) when the text first shows`);
const b = ms(baseline);
const bc = cpu(baseline);
console.log(`baseline  node -e (first output)     ${fmt(b)}   CPU ${fmt(bc)}`);
for (const { label } of targets) {
  const { frame, listed } = results.get(label);
  console.log(`${`${label} first frame (home drawn)`.padEnd(36)} ${fmt(ms(frame))}   ${(ms(frame) / b).toFixed(1)}x baseline   CPU ${fmt(cpu(frame))} (${(cpu(frame) / bc).toFixed(1)}x)   target <= 3x: ${ms(frame) / b <= 3 ? 'met' : 'NOT met'} (wall), ${cpu(frame) / bc <= 3 ? 'met' : 'NOT met'} (CPU)`);
  console.log(`${`${label} lessons listed on home`.padEnd(36)} ${fmt(ms(listed))}   ${(ms(listed) / b).toFixed(1)}x baseline   CPU ${fmt(cpu(listed))} (${(cpu(listed) / bc).toFixed(1)}x)   target <= 3x: ${ms(listed) / b <= 3 ? 'met' : 'NOT met'} (wall), ${cpu(listed) / bc <= 3 ? 'met' : 'NOT met'} (CPU)`);
}
