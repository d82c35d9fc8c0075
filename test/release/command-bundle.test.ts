// The hot commands are bundled after tsc (source/build/bundle-commands.mjs):
// `probe` and the TUI load a few files instead of hundreds, undici's index
// and the explainer only when asked; test/probe/cli.test.ts and
// test/tui/tmux.test.ts run the bundles, test/release/pack.test.ts the packed copy.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chunks = path.join(root, 'dist/source/commands/chunks');

function staticImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
}

/** Every file a module loads before it runs (static imports, transitively), packages by name. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  for (const from of staticImports(file)) {
    if (!from.startsWith('.')) {
      seen.add(from);
      continue;
    }
    const next = path.resolve(path.dirname(file), from);
    if (seen.has(next)) continue;
    seen.add(next);
    staticGraph(next, seen);
  }
  return seen;
}

test('the built probe and tui commands load only bundle chunks, node built-ins and no package before they run', (t) => {
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  for (const name of ['probe', 'tui']) {
    const graph = [...staticGraph(path.join(root, `dist/source/commands/${name}.js`))];
    const outside = graph.filter((file) => !file.startsWith('node:') && !file.startsWith(chunks + path.sep));
    t.deepEqual(outside, [], `${name}: everything it loads up front is in the bundle`);
  }
});

test("undici is bundled as its Client alone, never its index; the explainer stays a lazy chunk", (t) => {
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  const code = readdirSync(chunks).map((f) => readFileSync(path.join(chunks, f), 'utf8')).join('\n');
  t.false(/(import\(|from\s*|require\()["']undici["']/.test(code));
  const probe = [...staticGraph(path.join(chunks, 'probe.js'))].filter((f) => !f.startsWith('node:')).map((f) => readFileSync(f, 'utf8'));
  t.false(probe.some((c) => c.includes('function explain(')), 'the explainer is not loaded up front');
  t.regex(code, /import\(["']\.\/catalogue-[A-Z0-9]+\.js["']\)/, 'the explainer is a chunk loaded by import()');
});

/** The JavaScript files a packed release ships (package.json `files`: dist/ without the TUI's tsc output and maps). */
function shippedFiles(dir = path.join(root, 'dist')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === path.join(root, 'dist/source/tui') ? [] : shippedFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

test('every package the shipped code imports is a runtime dependency (bundled ones are devDependencies)', (t) => {
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  const { dependencies } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const missing = new Set<string>();
  for (const file of shippedFiles()) {
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(/(?:^import\s[^;]*?from\s+|^export\s[^;]*?from\s+|import\()["']([^"'.][^"']*)["']/gm)) {
      if (isBuiltin(specifier!)) continue;
      const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
      if (!(name in dependencies)) missing.add(`${name} (${path.relative(root, file)})`);
    }
  }
  t.deepEqual([...missing], []);
});
