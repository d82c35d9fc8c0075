// A release packed from a clean checkout ships the code: `npm pack` runs the
// build first (prepack), and the packed bin runs. The checkout is the
// committed tree (git archive HEAD), so nothing built locally can leak in.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, run } from '../helpers/cluster.js';

test('npm pack from a clean checkout builds first, and the packed agw-workshop runs', async (t) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-pack-'));
  t.teardown(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const checkout = path.join(scratch, 'checkout');
  fs.mkdirSync(checkout);
  const archive = path.join(scratch, 'head.tar');
  const archived = await run('git', ['-C', repoRoot, 'archive', '--format=tar', '-o', archive, 'HEAD']);
  t.is(archived.code, 0, archived.stderr);
  t.is((await run('tar', ['-xf', archive, '-C', checkout])).code, 0);
  t.false(fs.existsSync(path.join(checkout, 'dist')), 'a clean checkout has no build');
  // The dependencies as installed here (the build needs tsc and esbuild); nothing else is copied.
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'));
  const packed = await run('npm', ['pack', '--pack-destination', scratch, '--json'], { env: { ...process.env, npm_config_loglevel: 'error' }, timeoutMs: 240_000, cwd: checkout });
  t.is(packed.code, 0, packed.stderr);
  // The build's own lines come first (prepack); npm's JSON follows.
  const [{ filename, files }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as { filename: string; files: { path: string }[] }[];
  t.true(files.some((f) => f.path === 'dist/source/cli.js'), 'the CLI is in the package');
  t.true(files.some((f) => f.path === 'dist/gateway/proxy/index.js' || f.path.startsWith('dist/gateway/')), 'the gateway is in the package');
  t.true(files.some((f) => f.path === 'dist/source/lesson/lessons-index.json'), 'the lessons index is in the package');
  const installed = path.join(scratch, 'installed');
  fs.mkdirSync(installed);
  t.is((await run('tar', ['-xzf', path.join(scratch, filename), '-C', installed])).code, 0);
  const pkg = path.join(installed, 'package');
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pkg, 'node_modules'));
  const bin = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['agw-workshop']!;
  const version = await run(process.execPath, [path.join(pkg, bin), '--version']);
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
  const list = await run(process.execPath, [path.join(pkg, bin), 'list'], { env: { ...process.env, AGW_WORKSHOP_HOME: path.join(scratch, 'home') } });
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /sni-matching/);
});
