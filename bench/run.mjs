// Runs every bench in turn; each prints its own figures and ratios.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
// The benches; gateway-backend/-baseline/-target are servers gateway.mjs starts, not benches.
const BENCHES = ['cli.mjs', 'cluster.mjs', 'gateway.mjs', 'gateway-workers.mjs', 'install.mjs', 'probe.mjs', 'start.mjs', 'store.mjs', 'tracing.mjs', 'tui.mjs'];
for (const file of readdirSync(here).filter((f) => BENCHES.includes(f)).sort()) {
  if (only.length && !only.some((o) => file.startsWith(o))) continue;
  process.stdout.write(`\n== ${file} ==\n`);
  const result = spawnSync(process.execPath, [path.join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) process.stdout.write(`(${file} exited ${result.status})\n`);
}
