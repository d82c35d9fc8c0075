// Build step after tsc: bundles the hot command paths (each a file tsc wrote
// under dist/source/commands/) into one file each, in place. Why: Node's ESM
// loader pays per file (resolve, read, link), and a command such as `probe`
// loads two dozen of our modules before it does anything; one file loads in
// one step. What stays a separate file:
// - a dynamic import of our own code (`await import('../explain/…')`): it is
//   loaded only when the command needs it (--explain), so it stays lazy;
// - packages from node_modules, except undici's Client (below).
// undici's index loads all of undici (fetch, WebSocket, caches, mocks: ~60 ms
// on this machine); the probe uses only its Client, so `undici` resolves to
// undici's own Client module, bundled, and loaded when the probe first sends
// HTTP. Only commands that use nothing else of undici are bundled.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const commandsDir = path.join(root, 'dist', 'source', 'commands');
/** Commands bundled: their whole static import graph is ours and node's (see the test of this step). */
export const BUNDLED_COMMANDS = ['probe'];

const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const nodeTarget = `node${engines.replace(/^>=\s*/, '')}`;
const undiciLib = (file) => JSON.stringify(path.join(root, 'node_modules', 'undici', 'lib', file));

/**
 * `import('undici')` → undici's Client, with the request methods undici's own
 * index adds to every dispatcher (client.request, .stream, …).
 */
const undiciClientOnly = {
  name: 'undici-client-only',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'undici-client-only' }));
    b.onLoad({ filter: /.*/, namespace: 'undici-client-only' }, () => ({
      contents: [
        `import Client from ${undiciLib('dispatcher/client.js')};`,
        `import Dispatcher from ${undiciLib('dispatcher/dispatcher.js')};`,
        `import api from ${undiciLib('api/index.js')};`,
        'Object.assign(Dispatcher.prototype, api);',
        'export { Client };',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** Our own modules imported dynamically stay separate files, loaded when needed. */
function dynamicImportsStayLazy(outfile) {
  return {
    name: 'dynamic-imports-stay-lazy',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\//, }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        let relative = path.relative(path.dirname(outfile), target).split(path.sep).join('/');
        if (!relative.startsWith('.')) relative = `./${relative}`;
        return { path: relative, external: true };
      });
    },
  };
}

const started = performance.now();
let bytes = 0;
for (const name of BUNDLED_COMMANDS) {
  const target = path.join(commandsDir, `${name}.js`);
  if (!fs.existsSync(target)) {
    console.error(`bundle-commands: ${path.relative(root, target)} is missing: run tsc first`);
    process.exit(1);
  }
  const result = await build({
    entryPoints: [target],
    outfile: target,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: nodeTarget,
    packages: 'external',
    plugins: [undiciClientOnly, dynamicImportsStayLazy(target)],
    // undici is CommonJS: its require() of Node built-ins goes through this shim in an ES module.
    banner: { js: `import { createRequire as __agwCreateRequire } from 'node:module';\nconst require = __agwCreateRequire(import.meta.url);` },
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  });
  // tsc's source map describes the entry file alone, not the bundle.
  fs.rmSync(`${target}.map`, { force: true });
  bytes += Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
}
if (process.env.npm_config_loglevel !== 'silent') console.log(`bundle-commands: ${BUNDLED_COMMANDS.join(', ')} (${(bytes / 1e3).toFixed(0)} kB) in ${Math.round(performance.now() - started)} ms`);
