// `npm start` when nothing changed: the stale check must cost next to nothing
// beside the CLI's own start. Measures (median of 5) the check alone
// (build-if-stale.mjs on an up-to-date dist/) and `cli.js --version`.
// A full build (first start, or after a change) is measured once with --full.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const check = path.join(root, 'source', 'build', 'build-if-stale.mjs');
const cli = path.join(root, 'dist', 'source', 'cli.js');
time([check]); // make sure dist/ is up to date first
const checkMs = median(Array.from({ length: 5 }, () => time([check])));
const cliMs = median(Array.from({ length: 5 }, () => time([cli, '--version'])));
console.log(`stale check, nothing changed: ${checkMs.toFixed(0)} ms (median of 5)`);
console.log(`cli.js --version:              ${cliMs.toFixed(0)} ms (median of 5)`);
if (process.argv.includes('--full')) {
  const { utimesSync } = await import('node:fs');
  const now = new Date();
  utimesSync(path.join(root, 'source', 'cli.ts'), now, now);
  console.log(`rebuild after a change:        ${(time([check]) / 1000).toFixed(1)} s`);
}
