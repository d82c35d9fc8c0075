// The hot commands are bundled after tsc (source/build/bundle-commands.mjs):
// every command (the probe, the TUI, the headless lesson commands and what pods
// run: cluster, gateway, workload) loads a few files instead of hundreds, undici's index and the explainer only when asked;
// test/probe/cli.test.ts, test/tui/tmux.test.ts and every test that starts a
// cluster run the bundles, test/release/pack.test.ts the packed copy.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chunks = path.join(root, 'dist/source/commands/chunks');

function imports(file: string, dynamic: boolean): string[] {
  const code = readFileSync(file, 'utf8');
  const found = [...code.matchAll(/^(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
  // Chunks import chunks beside them: './name-HASH.js' (undici's comments mention other import()s).
  if (dynamic) found.push(...[...code.matchAll(/import\(["'](\.\/[\w-]+\.js)["']\)/g)].map((m) => m[1]!));
  return found;
}

/** Every file a module loads before it runs (static imports, transitively; with `dynamic`, whatever it may load later too), packages by name. */
function staticGraph(file: string, seen = new Set<string>(), dynamic = false): Set<string> {
  for (const from of imports(file, dynamic)) {
    if (!from.startsWith('.')) {
      seen.add(from);
      continue;
    }
    const next = path.resolve(path.dirname(file), from);
    if (seen.has(next) || (dynamic && !existsSync(next))) continue; // a dynamic import() quoted in a comment
    seen.add(next);
    staticGraph(next, seen, dynamic);
  }
  return seen;
}

test('the bundled commands load only bundle chunks and node built-ins before they run; probe and tui no package either', (t) => {
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  for (const name of ['list', 'run', 'cleanup', 'replay', 'check', 'catch-up', 'doctor', 'cluster', 'probe', 'gateway', 'workload', 'tui']) {
    const graph = [...staticGraph(path.join(root, `dist/source/commands/${name}.js`))];
    const files = graph.filter((file) => path.isAbsolute(file));
    t.deepEqual(files.filter((file) => !file.startsWith(chunks + path.sep) && file !== path.join(root, 'dist/source/cluster/k8s-client.js')), [], `${name}: our code it loads up front is in the bundle`);
    if (name === 'probe' || name === 'tui') t.deepEqual(graph.filter((file) => !path.isAbsolute(file) && !isBuiltin(file)), [], `${name}: no package up front`);
  }
});

test("undici is bundled as its Client alone, never its index; the explainer stays a lazy chunk", (t) => {
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  const code = readdirSync(chunks).map((f) => readFileSync(path.join(chunks, f), 'utf8')).join('\n');
  const everythingProbeMayLoad = [...staticGraph(path.join(chunks, 'probe.js'), new Set(), true)];
  t.false(everythingProbeMayLoad.includes('undici'), 'the probe never loads the undici package (the gateway does)');
  const probeCode = everythingProbeMayLoad.filter((f) => path.isAbsolute(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
  t.true(probeCode.includes('node_modules/undici/lib/dispatcher/client.js'), "the probe's undici is the bundled Client");
  t.false(probeCode.includes('node_modules/undici/index.js'), "and never undici's index");
  const probe = [...staticGraph(path.join(chunks, 'probe.js'))].filter((f) => !f.startsWith('node:')).map((f) => readFileSync(f, 'utf8'));
  t.false(probe.some((c) => c.includes('function explain(')), 'the explainer is not loaded up front');
  t.regex(code, /import\(["']\.\/catalogue-[A-Z0-9]+\.js["']\)/, 'the explainer is a chunk loaded by import()');
});

test('the build indexes the lessons, and `list` loads no lesson parser up front', async (t) => {
  const indexFile = path.join(root, 'dist/source/lesson/lessons-index.json');
  if (!existsSync(indexFile)) return t.fail(`${indexFile} is missing: npm run build first`);
  const { lessonIndex } = await import('../../source/lesson/list.js');
  t.deepEqual(JSON.parse(readFileSync(indexFile, 'utf8')), await lessonIndex(root), 'the index says what the parsed lessons say');
  const list = [...staticGraph(path.join(root, 'dist/source/commands/list.js'))].filter((f) => path.isAbsolute(f)).map((f) => readFileSync(f, 'utf8'));
  t.false(list.some((c) => c.includes('function parseLesson(')), 'the parser is a lazy chunk');
  t.false(list.some((c) => c.includes('node_modules/yaml/')), 'so is the yaml package');
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
