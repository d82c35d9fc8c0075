// Build step after tsc: bundles @kubernetes/client-node (with its own
// dependencies) into dist/source/cluster/k8s-client.js, in place of tsc's
// re-export. Why: see source/cluster/k8s-client.ts. The bundle is ESM; its
// CommonJS dependencies' require() of Node built-ins goes through a
// createRequire shim. Licence comments are kept at the end of the file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const target = path.join(root, 'dist', 'source', 'cluster', 'k8s-client.js');
if (!fs.existsSync(target)) {
  console.error(`bundle-k8s-client: ${path.relative(root, target)} is missing: run tsc first`);
  process.exit(1);
}
const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const nodeTarget = `node${engines.replace(/^>=\s*/, '')}`;

const started = performance.now();
const result = await build({
  entryPoints: [target],
  outfile: target,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: nodeTarget,
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  banner: { js: "import { createRequire as __agwCreateRequire } from 'node:module';\nconst require = __agwCreateRequire(import.meta.url);" },
});
// tsc's source map describes the re-export, not the bundle.
fs.rmSync(`${target}.map`, { force: true });
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(`bundle-k8s-client: ${path.relative(root, target)} ${(bytes / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - started)} ms`);
