// Without a terminal (pipes, CI) `agw-workshop` does not draw: it lists the
// lessons and says how to run them headless, and never loads Ink.
import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'source', 'cli.js');

test('agw-workshop with stdout piped prints the lessons and how to run one headless, exit 0, without loading Ink', async (t) => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -p tsconfig.json)`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-tui-headless-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  // A loader hook that reports every module loaded: Ink must not be among them.
  const hook = path.join(home, 'trace.mjs');
  fs.writeFileSync(hook, "export async function resolve(s, c, next) { const r = await next(s, c); if (/node_modules\\/(ink|react|@inkjs)\\//.test(r.url)) process.stderr.write(`LOADED ${r.url}\\n`); return r; }\n");
  const register = path.join(home, 'register.mjs');
  fs.writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(new URL(`file://${hook}`).href)});\n`);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', register, cli], {
    env: { ...process.env, AGW_WORKSHOP_HOME: home },
    timeout: 60_000,
  });
  t.regex(stdout, /no interactive terminal/);
  t.regex(stdout, /sni-matching/);
  t.regex(stdout, /agw-workshop run <id> --yes/);
  t.notRegex(stderr, /LOADED/);
});

test('--presenter, --context and --kubeconfig are accepted (headless here); a misspelt flag is an error naming it', async (t) => {
  const run = promisify(execFile);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-tui-flags-'));
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }));
  const env = { ...process.env, AGW_WORKSHOP_HOME: home };
  const flagged = await run(process.execPath, [cli, '--presenter', '--context', 'kind-class', '--kubeconfig', path.join(home, 'none.yaml')], { env, timeout: 30_000 });
  t.regex(flagged.stdout, /sni-matching/);
  const help = await run(process.execPath, [cli, 'tui', '--help'], { env, timeout: 30_000 });
  t.regex(help.stdout, /--presenter[\s\S]*--context NAME[\s\S]*--kubeconfig FILE/);
  const bad = await run(process.execPath, [cli, '--presentr'], { env, timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
  t.not((bad as { code: number }).code, 0);
  t.regex((bad as { stderr: string }).stderr, /presentr/);
});
