// package.json's engines tell the truth (issue 15.17): every package in the
// lockfile, the development ones included, supports the oldest Node it
// claims, so `npm ci` prints no EBADENGINE warning there; `doctor` checks
// that same version and the README names it.
import test from 'ava';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { MIN_NODE } from '../../source/commands/doctor.js';

const repo = new URL('../../', import.meta.url);
const require = createRequire(import.meta.url);
// semver is in the tree (a development dependency's); npm itself judges engines with it.
const semver = require('semver') as { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean };

interface LockPackage {
  version?: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(fs.readFileSync(new URL('package.json', repo), 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, unknown> };
const lock = JSON.parse(fs.readFileSync(new URL('package-lock.json', repo), 'utf8')) as { packages: Record<string, LockPackage> };
const oldest = semver.minVersion(pkg.engines.node)!.version;

/** Packages of the lockfile (run-time or development) whose engines exclude the oldest Node we claim. */
function excluding(dev: boolean): string[] {
  return Object.entries(lock.packages).flatMap(([where, info]) => {
    const range = !Array.isArray(info.engines) ? info.engines?.node : undefined;
    if (!where || !range || Boolean(info.dev) !== dev || semver.satisfies(oldest, range)) return [];
    return [`${where.replace(/^.*node_modules\//, '')}@${info.version} (node ${range})`];
  });
}

test('every package the workshop runs supports the oldest Node that engines claims', (t) => {
  t.deepEqual(excluding(false), [], `engines.node ${pkg.engines.node}: raise it or pick versions that support ${oldest}`);
  t.is(pkg.engines.node, `>=${MIN_NODE.join('.')}`, 'doctor checks the same minimum as engines');
});

test('no development package excludes the oldest Node either: npm ci warns about none', (t) => {
  t.deepEqual(excluding(true), [], `pick versions that support ${oldest}, or generate from a vendored source (see test/cluster/pure/tools)`);
  const readme = fs.readFileSync(new URL('README.md', repo), 'utf8');
  t.regex(readme, new RegExp(`Node ≥ ${MIN_NODE.join('\\.')} \\(nothing else`));
});

test('every installed package with an install script is reviewed in allowScripts (npm 11.16+ warns about the rest, npm 12 skips their scripts)', (t) => {
  const withScripts = Object.entries(lock.packages)
    .filter(([where, info]) => where && info.hasInstallScript)
    .map(([where]) => where.replace(/^.*node_modules\//, ''));
  t.true(withScripts.length > 0, 'the lockfile records install scripts (esbuild has one)');
  for (const name of withScripts) t.is(pkg.allowScripts?.[name], true, `${name}: add "${name}": true (a boolean; npm ignores the string "true") to allowScripts, or false to deny it`);
});
