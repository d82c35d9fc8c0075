// TUI to first frame: how long from launching `agw-workshop` in a real
// terminal (a detached tmux pane, 80x24) until the home screen is drawn, and
// until the lessons are listed on it. Baseline, measured the same way in the
// same run: `node -e "console.log('ready')"` until "ready" shows in the pane.
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

/** Start `command` in a fresh pane; resolve the ms until each marker is on screen. */
async function timeToText(command, env, markers, timeoutMs = 20_000) {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  launch++;
  const started = performance.now();
  // remain-on-exit: a program that dies early leaves its last screen to report.
  tmux('new-session', '-d', '-s', 'b', '-x', '80', '-y', '24', ...envArgs, ...command, ';', 'set-option', '-t', 'b', 'remain-on-exit', 'on');
  const found = {};
  try {
    while (Object.keys(found).length < markers.length) {
      const screen = tmux('capture-pane', '-p', '-t', 'b');
      const now = performance.now() - started;
      for (const marker of markers) if (!(marker in found) && screen.includes(marker)) found[marker] = now;
      if (tmux('display-message', '-p', '-t', 'b', '#{pane_dead}').trim() === '1') throw new Error(`${command.join(' ')} exited early; screen:\n${screen}`);
      if (now > timeoutMs) throw new Error(`no ${markers.filter((m) => !(m in found)).join(', ')} after ${timeoutMs} ms; screen:\n${screen}`);
      await sleep(5);
    }
  } finally {
    spawnSync('tmux', ['-L', socketName(), 'kill-server'], { stdio: 'ignore' });
    // The server does not always remove its socket file when killed.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socketName()), { force: true });
  }
  return markers.map((m) => found[m]);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-tui-'));
const env = { AGW_WORKSHOP_HOME: home, NO_COLOR: '', KUBECONFIG: '', TERM: 'tmux-256color' };
const unsetCi = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION'];
const baseline = [];
const firstFrame = [];
const lessonsListed = [];
try {
  for (let i = 0; i < runs; i++) {
    const [ready] = await timeToText([...unsetCi, process.execPath, '-e', "console.log('ready'); setTimeout(() => {}, 60000)"], env, ['ready']);
    baseline.push(ready);
    const [frame, listed] = await timeToText([...unsetCi, process.execPath, cli], env, ['TLS at API gateways', 'SNI matching']);
    firstFrame.push(frame);
    lessonsListed.push(listed);
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

// CPU time to the first frame, less sensitive than wall time to a busy machine: a child
// process renders the real App (live services, fresh home) to an 80x24 stream and reports
// its own CPU use (user + system) when Ink first writes. Baseline: the CPU use of bare node.
const cpuProbe = `
const t0 = process.cpuUsage();
const { EventEmitter } = await import('node:events');
const [React, { render }, { App }, { createLiveServices }] = await Promise.all([
  import('react'), import('ink'),
  import(${JSON.stringify(path.join(root, 'dist/source/tui/app/App.js'))}),
  import(${JSON.stringify(path.join(root, 'dist/source/tui/services/live-services.js'))}),
]);
const out = Object.assign(new EventEmitter(), { columns: 80, rows: 24, isTTY: true, write(s) {
  if (!this.done && s.includes('TLS at API gateways')) { this.done = true; const u = process.cpuUsage();
    console.log(JSON.stringify({ cpu: (u.user + u.system) / 1000, wall: performance.now() })); process.exit(0); }
  return true; } });
const stdin = Object.assign(new EventEmitter(), { isTTY: true, setRawMode() {}, setEncoding() {}, ref() {}, unref() {}, read() { return null; }, resume() {}, pause() {} });
render(React.createElement(App, { services: createLiveServices({}) }), { stdout: out, stdin, exitOnCtrlC: false, patchConsole: false });
`;
const cpuFirstFrame = [];
const cpuBaseline = [];
const cpuHome = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-tui-cpu-'));
try {
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', cpuProbe], { cwd: root, env: { ...process.env, AGW_WORKSHOP_HOME: cpuHome }, encoding: 'utf8', timeout: 30_000 });
    if (child.status !== 0) throw new Error(`cpu probe failed: ${child.stderr}`);
    cpuFirstFrame.push(JSON.parse(child.stdout.trim().split('\n').pop()).cpu);
    const bare = spawnSync(process.execPath, ['-e', 'const u = process.cpuUsage(); console.log((u.user + u.system) / 1000)'], { encoding: 'utf8' });
    cpuBaseline.push(Number(bare.stdout.trim()));
  }
} finally {
  fs.rmSync(cpuHome, { recursive: true, force: true });
}

const b = median(baseline);
const f = median(firstFrame);
const l = median(lessonsListed);
const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log(`runs: ${runs} (median), 80x24 tmux pane, load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
console.log(`baseline  node -e (first output)     ${fmt(b)}`);
console.log(`TUI first frame (home drawn)         ${fmt(f)}   ${(f / b).toFixed(1)}x baseline   target < 1000 ms: ${f < 1000 ? 'met' : 'NOT met'}`);
console.log(`TUI lessons listed on home           ${fmt(l)}   ${(l / b).toFixed(1)}x baseline`);
const cb = median(cpuBaseline);
const cf = median(cpuFirstFrame);
console.log(`CPU time: bare node at start ${fmt(cb)}; TUI at first frame ${fmt(cf)} (user+system, in-process render of the real App)`);
