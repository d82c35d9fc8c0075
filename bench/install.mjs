// What `npx agw-workshop` installs on first run: the packed tarball installed
// with npm into an empty directory with an empty, private cache (as a first
// npx run: every package downloaded), then again into another empty directory
// with that cache warm (npm's own work without the network). Reports wall time,
// the number of packages and the size on disk of node_modules. With several
// tarballs (--tarball A --tarball B: e.g. before and after a dependency change)
// they are installed in interleaved rounds, so the network and the machine's
// load weigh on each alike; medians over rounds.
// Usage: node bench/install.mjs [--tarball FILE]... [--rounds N]   (no --tarball: npm pack this tree, which builds first)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, median } from './child-cpu.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const tarballs = args.flatMap((a, i) => (a === '--tarball' ? [path.resolve(args[i + 1])] : []));
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-bench-install-'));

function npm(npmArgs, cwd) {
  const started = performance.now();
  const result = spawnSync('npm', npmArgs, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`npm ${npmArgs.join(' ')} exited ${result.status}\n${result.stderr}`);
  return { ms: performance.now() - started, stdout: result.stdout };
}

function diskBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += diskBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

/** Installed packages: every directory under node_modules holding a package.json with a name, at any depth. */
function packageCount(modules) {
  let count = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin' || entry.name === '.cache') continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(full);
        continue;
      }
      if (fs.existsSync(path.join(full, 'package.json'))) count++;
      if (fs.existsSync(path.join(full, 'node_modules'))) visit(path.join(full, 'node_modules'));
    }
  };
  visit(modules);
  return count;
}

try {
  if (!tarballs.length) {
    const packed = npm(['pack', '--pack-destination', scratch, '--json'], root);
    const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n')));
    tarballs.push(path.join(scratch, filename));
  }
  console.log(`install bench: node ${process.version}, npm ${spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${os.cpus().length} CPUs, load average ${loadAverage()}, registry ${spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim()}`);
  const results = tarballs.map(() => ({ cold: [], warm: [], packages: 0, bytes: 0 }));
  for (let round = 0; round < rounds; round++) {
    tarballs.forEach((tarball, i) => {
      const dir = path.join(scratch, `r${round}-t${i}`);
      const cache = path.join(dir, 'cache');
      for (const kind of ['cold', 'warm']) {
        const app = path.join(dir, kind);
        fs.mkdirSync(app, { recursive: true });
        fs.writeFileSync(path.join(app, 'package.json'), '{"private":true}\n');
        results[i][kind].push(npm(['install', '--no-audit', '--no-fund', '--cache', cache, tarball], app).ms);
      }
      const modules = path.join(dir, 'cold', 'node_modules');
      results[i].packages = packageCount(modules);
      results[i].bytes = diskBytes(modules);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
  console.log(`${rounds} rounds, medians; cold = empty npm cache (every package downloaded), warm = cache filled by the cold install`);
  tarballs.forEach((tarball, i) => {
    const r = results[i];
    console.log(`  ${path.basename(tarball)}: ${r.packages} packages, ${(r.bytes / 1e6).toFixed(1)} MB in node_modules; install cold ${(median(r.cold) / 1000).toFixed(1)} s, warm ${(median(r.warm) / 1000).toFixed(1)} s`);
  });
  for (let i = 1; i < tarballs.length; i++) {
    const [a, b] = [results[0], results[i]];
    console.log(`  ${path.basename(tarballs[i])} / ${path.basename(tarballs[0])}: packages ${(b.packages / a.packages).toFixed(2)}x, size ${(b.bytes / a.bytes).toFixed(2)}x, cold ${(median(b.cold) / median(a.cold)).toFixed(2)}x, warm ${(median(b.warm) / median(a.warm)).toFixed(2)}x`);
  }
  console.log(`  load average at the end ${loadAverage()}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
