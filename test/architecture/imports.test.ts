// Layers only look down (issue 18 items 2 and 3): the import rules, checked
// over every import specifier of the tree (static, re-export, dynamic and
// type-only imports alike, read with TypeScript's own pre-processor), so a
// wrong-way import fails here instead of waiting for the next review.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface LayerRule {
  /** What the rule protects, as the failure message says it. */
  name: string;
  /** Files the rule applies to (repository-relative, '/'-separated prefix). */
  from: string;
  /** Imports those files must not reach (prefixes of the resolved target). */
  forbidden: string[];
}

const rules: LayerRule[] = [
  { name: 'the probe is data: it never imports the lesson or the TUI', from: 'source/probe/', forbidden: ['source/lesson/', 'source/tui/'] },
  { name: 'the explainer never imports the lesson or the TUI', from: 'source/explain/', forbidden: ['source/lesson/', 'source/tui/'] },
  { name: 'the cluster client never imports the lesson or the TUI', from: 'source/cluster/', forbidden: ['source/lesson/', 'source/tui/'] },
  { name: 'the embedded cluster never imports the gateway', from: 'source/cluster/embedded/', forbidden: ['gateway/'] },
  { name: 'the gateway never imports a lesson or the TUI', from: 'gateway/', forbidden: ['source/lesson/', 'source/tui/'] },
];

interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

/** Every module specifier of a source text: import, export … from, import(), import type. */
function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The repository-relative target of a relative specifier; packages and node: builtins are nobody's layer. */
function resolvedTarget(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
}

function violations(files: { file: string; text: string }[], layerRules: LayerRule[]): Violation[] {
  const out: Violation[] = [];
  for (const { file, text } of files) {
    const applying = layerRules.filter((r) => file.startsWith(r.from));
    if (applying.length === 0) continue;
    for (const specifier of importSpecifiers(text)) {
      const target = resolvedTarget(file, specifier);
      if (target === undefined) continue;
      for (const rule of applying) {
        if (rule.forbidden.some((prefix) => target.startsWith(prefix))) out.push({ file, specifier, rule: rule.name });
      }
    }
  }
  return out;
}

function sourceFiles(directory: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, directory), { withFileTypes: true })) {
    const relative = path.posix.join(directory, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(relative));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(relative);
  }
  return out;
}

test('the tree keeps the layer rules', (t) => {
  const files = [...sourceFiles('source'), ...sourceFiles('gateway')].map((file) => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }));
  t.true(files.length > 100, 'the walk found the source tree');
  t.true(files.some((f) => f.file.startsWith('source/probe/')) && files.some((f) => f.file.startsWith('source/cluster/embedded/')) && files.some((f) => f.file.startsWith('gateway/')));
  t.deepEqual(violations(files, rules), []);
});

// The checker itself: each deliberately bad import is caught, and the
// neighbouring good ones are not, so an empty list above means something.
const cases: { file: string; text: string; broken?: string }[] = [
  { file: 'source/probe/x.ts', text: "import type { FieldVerdict } from '../lesson/events.js';", broken: 'the probe is data: it never imports the lesson or the TUI' },
  { file: 'source/probe/x.ts', text: "export { a } from '../tui/model.js';", broken: 'the probe is data: it never imports the lesson or the TUI' },
  { file: 'source/explain/x.ts', text: "const m = await import('../lesson/runner.js');", broken: 'the explainer never imports the lesson or the TUI' },
  { file: 'source/cluster/client-node-backend.ts', text: "import { sleep } from '../lesson/sleep.js';", broken: 'the cluster client never imports the lesson or the TUI' },
  { file: 'source/cluster/embedded/kubelet/port-map.ts', text: "export { parsePortMap } from '../../../../gateway/ir/port-map.js';", broken: 'the embedded cluster never imports the gateway' },
  { file: 'gateway/translate/route-attachment.ts', text: "import { x } from '../../source/lesson/types.js';", broken: 'the gateway never imports a lesson or the TUI' },
  { file: 'source/probe/x.ts', text: "import { y } from './types.js';\nimport tls from 'node:tls';" },
  { file: 'source/cluster/embedded/kubelet/port-map.ts', text: "import { parsePortMap } from '../../port-map-annotation.js';" },
  { file: 'gateway/translate/route-attachment.ts', text: "import { selectorMatches } from '../../source/cluster/label-selector.js';" },
  { file: 'source/lesson/steps/probe.ts', text: "import { probe } from '../../probe/index.js';" },
];

for (const c of cases) {
  test(`checker: ${c.file} ← ${c.text.split('\n')[0]} is ${c.broken ? 'refused' : 'allowed'}`, (t) => {
    const found = violations([c], rules);
    if (c.broken) t.deepEqual(found.map((v) => v.rule), [c.broken]);
    else t.deepEqual(found, []);
  });
}
