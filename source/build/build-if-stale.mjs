// `npm start`: build only when a source changed since the last build, and say
// what it is doing while it builds (tsc, then the client-node bundle), instead
// of a blank screen. The last successful build leaves dist/.build-stamp; any
// input newer than it (sources, lessons' code, tsconfig, package files) or a
// missing stamp makes the build run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const INPUT_DIRS = ['source', 'gateway'];
const INPUT_FILES = ['tsconfig.json', 'package.json', 'package-lock.json'];

/** The newest input file at or below `dir` (bounded walk: skips node_modules and dot-directories). */
function newest(dir, found = { file: undefined, mtimeMs: 0 }) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest(full, found);
    else {
      const { mtimeMs } = fs.statSync(full);
      if (mtimeMs > found.mtimeMs) Object.assign(found, { file: full, mtimeMs });
    }
  }
  return found;
}

/** Why a build is needed, or undefined when dist/ is up to date. */
export function staleReason(root) {
  const stamp = path.join(root, 'dist', '.build-stamp');
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return 'no finished build yet';
  }
  const found = { file: undefined, mtimeMs: 0 };
  for (const dir of INPUT_DIRS) newest(path.join(root, dir), found);
  for (const file of INPUT_FILES) {
    try {
      const { mtimeMs } = fs.statSync(path.join(root, file));
      if (mtimeMs > found.mtimeMs) Object.assign(found, { file: path.join(root, file), mtimeMs });
    } catch {
      // an optional input
    }
  }
  return found.mtimeMs > built ? `${path.relative(root, found.file)} changed since the last build` : undefined;
}

function step(root, label, command, args) {
  const started = Date.now();
  process.stderr.write(`  ${label}…`);
  const timer = process.stderr.isTTY ? setInterval(() => process.stderr.write(`\r\x1b[2K  ${label}… ${Math.round((Date.now() - started) / 1000)} s`), 1000) : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      process.stderr.write(`${process.stderr.isTTY ? `\r\x1b[2K  ${label}…` : ''} ${code === 0 ? 'done' : 'FAILED'} (${took})\n`);
      if (code === 0) resolve();
      else reject(new Error(`${label} failed:\n${output.trim()}`));
    });
  });
}

export async function buildIfStale(root) {
  const reason = staleReason(root);
  if (!reason) return false;
  process.stderr.write(`Building agw-workshop (${reason}); the next start skips this while nothing changes.\n`);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await step(root, 'compiling TypeScript (tsc)', process.execPath, [tsc, '-p', 'tsconfig.json']);
  await step(root, 'indexing the lessons', process.execPath, [path.join(root, 'source', 'build', 'lesson-index.mjs')]);
  await step(root, 'bundling the Kubernetes client', process.execPath, [path.join(root, 'source', 'build', 'bundle-k8s-client.mjs')]);
  await step(root, 'bundling the commands', process.execPath, [path.join(root, 'source', 'build', 'bundle-commands.mjs')]);
  fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  buildIfStale(root).catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
