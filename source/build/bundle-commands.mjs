// Build step after tsc: bundles every command cli.ts loads (files tsc wrote
// under dist/source/commands/: what learners run and what pods run), with
// esbuild's code splitting. Why: Node's ESM loader pays per file (resolve,
// read, link, evaluate), and before its first frame the TUI loaded ~670
// files (415 of them es-toolkit, through Ink), ~0.4 s of CPU; `probe` loaded two dozen of ours and all of undici.
// - Everything goes to dist/source/commands/chunks/; each dynamic `import()`
//   in the graph becomes its own chunk, so what loaded lazily still does;
//   dist/source/commands/<name>.js re-exports the command's bundle.
// - Our modules are bundled; `import.meta.url` in them is rewritten to the
//   URL of the file tsc wrote, so lookups relative to it (lessons/, cli.js,
//   package.json) find what they found before.
// - Packages stay in node_modules except the terminal UI stack (Ink, React,
//   @inkjs/ui and what they import), yaml (the home screen reads every
//   lesson.yaml; yaml is ~80 CommonJS files) and execa (the hands-on view runs
//   tools with it), which are bundled: one copy of each in the bundle, since
//   every user of them in the process is in it. Ink, React, @inkjs/ui and
//   execa have no user outside this bundle, so they are devDependencies: an
//   install (npx) does not fetch them.
// - `undici`, imported by the probe's HTTP exchange only for its Client,
//   resolves to undici's Client module with the request methods undici's
//   index adds: the index loads all of undici (fetch, WebSocket, caches,
//   mocks), ~60 ms on this machine.
// - dist/source/cluster/k8s-client.js is already a bundle (bundle-k8s-client.mjs): kept as it is.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { patchSegmenter, segmenterModule } from './grapheme-fast-path.mjs';
import { patchStringWidth } from './string-width-fast-path.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const commandsDir = path.join(dist, 'source', 'commands');
const chunksDir = path.join(commandsDir, 'chunks');
/**
 * Commands bundled, in builds of their own: code shared by the commands of one build is split
 * into chunks they share, so a command alone in its build loads its code as one file (plus its
 * lazy chunks) instead of the pieces it shares with every other command. The hot starts (probe,
 * the TUI, list) are alone; the headless lesson commands share their runner, the pods' commands
 * their cluster code (one copy each in the package).
 */
const COMMAND_BUILDS = [['probe'], ['tui'], ['list'], ['run', 'cleanup', 'replay', 'check', 'catch-up', 'doctor'], ['cluster', 'gateway', 'workload']];
const BUNDLED_COMMANDS = COMMAND_BUILDS.flat();
/** Packages bundled with the commands (with everything they import); every other package stays external. */
const BUNDLED_PACKAGES = /^(ink|react|react\/jsx-runtime|@inkjs\/ui|yaml|execa)$/;
/** First line of every file this step writes: a second run without tsc refuses (the input must be tsc's). */
const MARK = '// bundled by source/build/bundle-commands.mjs';

const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
const nodeTarget = `node${engines.replace(/^>=\s*/, '')}`;
const undiciLib = (file) => JSON.stringify(path.join(root, 'node_modules', 'undici', 'lib', file));
const httpExchange = path.join(dist, 'source', 'probe', 'http-exchange.js');
const k8sClient = path.join(dist, 'source', 'cluster', 'k8s-client.js');

const relativeFrom = (fromDir, file) => {
  const relative = path.relative(fromDir, file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
};

const plugin = {
  name: 'agw-commands',
  setup(b) {
    // undici's Client alone for the probe's HTTP exchange; everyone else (the gateway's pools) gets undici.
    b.onResolve({ filter: /^undici$/ }, (args) => (args.importer === httpExchange ? { path: 'undici', namespace: 'undici-client-only' } : undefined));
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
    // Ink's devtools load only with DEV=true and need a package we do not ship.
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'devtools-absent' }));
    b.onLoad({ filter: /.*/, namespace: 'devtools-absent' }, () => ({
      contents: "export default { initialize() {}, connectToDevTools() { throw new Error('react-devtools-core is not part of agw-workshop'); } };",
      loader: 'js',
    }));
    // `await import('yaml')` of a bundled CommonJS package: with code splitting, esbuild's chunk
    // for it exports only `default`, where Node gives named exports too. A module between them
    // re-exports by name what Node's own import of the package shows.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !BUNDLED_PACKAGES.test(args.path) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return { path: args.path, namespace: 'dynamic-package' };
    });
    b.onLoad({ filter: /.*/, namespace: 'dynamic-package' }, async (args) => {
      const exported = Object.keys(await import(args.path));
      const names = exported.filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
      return {
        contents: `import * as m from ${JSON.stringify(args.path)};\nexport const { ${names.join(', ')} } = m;\n${exported.includes('default') ? 'export default m.default;\n' : ''}`,
        resolveDir: root,
        loader: 'js',
      };
    });
    // Packages: external unless part of the UI stack or imported by a bundled package.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.namespace !== 'file') return undefined;
      if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      if (BUNDLED_PACKAGES.test(args.path)) return undefined;
      return { path: args.path, external: true };
    });
    // The client-node bundle stays its own file.
    b.onResolve({ filter: /k8s-client\.js$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path);
      if (target !== k8sClient) return undefined;
      return { path: relativeFrom(chunksDir, target), external: true };
    });
    // yoga-layout (Ink's layout engine) is emscripten output whose loader fetches its own
    // base64 data: URI with fetch() when fetch exists; in Node the first fetch() loads Node's
    // internal undici (~60 ms of CPU before the first frame). Told there is no fetch, the
    // same loader decodes the same base64 synchronously.
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const code = fs.readFileSync(args.path, 'utf8');
      const patched = code.replaceAll('"function"!=typeof fetch', 'true');
      if (patched === code) throw new Error(`bundle-commands: ${args.path} no longer tests "function"!=typeof fetch: check how this yoga-layout loads its WebAssembly`);
      return { contents: patched, loader: 'js' };
    });
    // string-width (Ink's copy and wrap-ansi's): a fast path for strings of one-column characters,
    // which the TUI draws on every frame (see string-width-fast-path.mjs). It and the other
    // packages of Ink's that segment graphemes get an Intl.Segmenter that loads ICU only for a
    // string that needs it (grapheme-fast-path.mjs).
    b.onResolve({ filter: /^agw:graphemes$/ }, () => ({ path: 'graphemes', namespace: 'agw-graphemes' }));
    let graphemes;
    b.onLoad({ filter: /.*/, namespace: 'agw-graphemes' }, () => ({ contents: (graphemes ??= segmenterModule()), loader: 'js' }));
    b.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const { default: stringWidth } = await import(pathToFileURL(args.path).href);
      return { contents: patchSegmenter(patchStringWidth(fs.readFileSync(args.path, 'utf8'), stringWidth), 'agw:graphemes'), loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]node_modules[\\/](?:slice-ansi[\\/]tokenize-ansi|@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize)\.js$/ }, (args) => ({
      contents: patchSegmenter(fs.readFileSync(args.path, 'utf8'), 'agw:graphemes'),
      loader: 'js',
    }));
    // import.meta.url in our modules: the URL of the file tsc wrote, not of the chunk. Every
    // output is in chunks/ (the entry files beside the commands re-export theirs), so the
    // path from there is known here, and it stays relative: the package can move.
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + path.sep)) return undefined;
      const code = fs.readFileSync(args.path, 'utf8');
      if (!code.includes('import.meta.url')) return undefined;
      const original = `new URL(${JSON.stringify(relativeFrom(chunksDir, args.path))}, import.meta.url).href`;
      return { contents: code.replaceAll('import.meta.url', `(${original})`), loader: 'js' };
    });
  },
};

const entryPoints = BUNDLED_COMMANDS.map((name) => path.join(commandsDir, `${name}.js`));
for (const entry of entryPoints) {
  if (!fs.existsSync(entry) || fs.readFileSync(entry, 'utf8').startsWith(MARK)) {
    console.error(`bundle-commands: ${path.relative(root, entry)} is not tsc's output: run tsc first`);
    process.exit(1);
  }
}
fs.rmSync(chunksDir, { recursive: true, force: true });
fs.mkdirSync(chunksDir, { recursive: true });
const started = performance.now();
/** One build per command, each with its own code splitting (see the header): name → contents. */
const written = new Map();
await Promise.all(COMMAND_BUILDS.map(async (names) => {
  const result = await build({
    entryPoints: names.map((name) => path.join(commandsDir, `${name}.js`)),
    outdir: chunksDir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    write: false,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: nodeTarget,
    plugins: [plugin],
    // React's and react-reconciler's production builds: the development builds (what an unset
    // NODE_ENV selects) check every render for the developer's sake and are twice the size.
    // Tests render the TypeScript sources, with the development builds and their warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    // Bundled CommonJS (React, undici) calls require() for Node built-ins: give ES modules one.
    banner: { js: `${MARK}\nimport { createRequire as __agwCreateRequire } from 'node:module';\nconst require = __agwCreateRequire(import.meta.url);` },
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
  });
  for (const file of result.outputFiles) {
    // A chunk of packages alone (Ink and React, undici's Client) is minified: Node parses it on
    // every start (the TUI's is 0.8 MB), and its stack traces name package code we do not debug.
    // Chunks with our code keep their lines, which a bug report's stack points into.
    const { inputs } = result.metafile.outputs[path.relative(process.cwd(), file.path).split(path.sep).join('/')];
    const packagesOnly = Object.keys(inputs).every((input) => input.includes('node_modules/') || /^[\w-]+:/.test(input));
    const text = packagesOnly ? `${MARK}\n${(await transform(file.text, { minify: true, format: 'esm', target: nodeTarget, legalComments: 'eof' })).code}` : file.text;
    // Chunk names carry a hash of their contents, so two builds writing one name write the same bytes.
    const earlier = written.get(file.path);
    if (earlier !== undefined && earlier !== text) throw new Error(`bundle-commands: two builds wrote different ${path.relative(root, file.path)}`);
    written.set(file.path, text);
  }
}));
for (const [file, text] of written) fs.writeFileSync(file, text);
// Where cli.js imports each command, a file that re-exports its bundle; tsc's source map
// described the entry file alone.
for (const name of BUNDLED_COMMANDS) {
  fs.writeFileSync(path.join(commandsDir, `${name}.js`), `${MARK}\nexport * from './chunks/${name}.js';\n`);
  fs.rmSync(path.join(commandsDir, `${name}.js.map`), { force: true });
}
const bytes = [...written.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
if (process.env.npm_config_loglevel !== 'silent') console.log(`bundle-commands: ${BUNDLED_COMMANDS.join(', ')} → ${written.size} files, ${(bytes / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - started)} ms`);
