// The hot commands are bundled after tsc (source/build/bundle-commands.mjs):
// the built `probe` command is one file that loads neither undici's index nor
// the explainer until asked, and still speaks HTTP/1.1 and HTTP/2 through
// undici's Client (test/probe/cli.test.ts runs it against curl).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = path.join(root, 'dist/source/commands/probe.js');

test('the built probe command is one file: no static import of our modules or of undici', (t) => {
  if (!existsSync(built)) return t.fail(`${built} is missing: npm run build first`);
  const code = readFileSync(built, 'utf8');
  const staticImports = [...code.matchAll(/^import\s.*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
  t.deepEqual(staticImports.filter((from) => !from.startsWith('node:')), [], 'only node: built-ins are imported statically');
  t.false(/(import\(|from\s*|require\()["']undici["']/.test(code), 'undici is bundled as its Client alone, never its index');
  t.regex(code, /import\(["']\.\.\/explain\/catalogue\.js["']\)/, 'the explainer stays a separate file, loaded for --explain');
});
