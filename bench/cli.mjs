// CLI wall times, median of several runs, against `node -e ''` measured in
// the same run:
//   --help                         (target < 150 ms)
//   run sni-matching --json        from a running cluster, lesson already done once (certificates reused)
//   cleanup + run sni-matching     from a running cluster, fresh certificates   (target < 5 s for the run)
// Uses its own AGW_WORKSHOP_HOME and stops its cluster at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'source', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('build first: npx tsc -p tsconfig.json');
  process.exit(1);
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-cli-'));
const env = { ...process.env, AGW_WORKSHOP_HOME: home };
delete env.KUBECONFIG;

function time(args, { check = true } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 180_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (check && r.status !== 0) {
    const failed = (r.stdout ?? '').split('\n').filter((l) => /"status":"failed"|"ok":false/.test(l)).join('\n');
    throw new Error(`${args.join(' ')} exited ${r.status}\n${(failed || r.stdout || '').slice(-4000)}\n${r.stderr}`);
  }
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function measure(label, n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(fn());
  const m = median(xs);
  console.log(`${label.padEnd(44)} median ${m.toFixed(0).padStart(6)} ms  (n=${n}, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
  return m;
}

try {
  const baseline = measure("node -e ''", 7, () => time(['-e', '']));
  const help = measure('agw-workshop --help', 7, () => time([cli, '--help']));
  console.log(`  --help: ${(help / baseline).toFixed(2)}x node startup (target < 150 ms: ${help < 150 ? 'met' : 'NOT met'})`);

  console.log('\nstarting a cluster and running setup once…');
  time([cli, 'cluster', 'up']);
  time([cli, 'run', 'setup', '--json']);
  time([cli, 'run', 'sni-matching', '--json']);
  const rerun = measure('run sni-matching (again, certs reused)', 5, () => time([cli, 'run', 'sni-matching', '--json']));
  const fresh = measure('run sni-matching (after cleanup)', 5, () => {
    time([cli, 'cleanup', 'sni-matching', '--yes', '--json']);
    return time([cli, 'run', 'sni-matching', '--json']);
  });
  console.log(`  run sni-matching: ${(fresh / baseline).toFixed(1)}x node startup after cleanup, ${(rerun / baseline).toFixed(1)}x when re-run (target < 5 s: ${Math.max(fresh, rerun) < 5000 ? 'met' : 'NOT met'})`);
} finally {
  spawnSync(process.execPath, [cli, 'cluster', 'down'], { env, timeout: 60_000 });
  fs.rmSync(home, { recursive: true, force: true });
}
