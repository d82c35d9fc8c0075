// `npm start` builds only when an input changed since the last finished build.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error -- a plain .mjs build script without types
import { staleReason } from '../../source/build/build-if-stale.mjs';

function tree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agw-stale-'));
  fs.mkdirSync(path.join(root, 'source', 'tui'), { recursive: true });
  fs.mkdirSync(path.join(root, 'gateway'), { recursive: true });
  fs.writeFileSync(path.join(root, 'source', 'tui', 'a.ts'), 'export {};\n');
  fs.writeFileSync(path.join(root, 'tsconfig.json'), '{}\n');
  return root;
}

const at = (file: string, seconds: number) => fs.utimesSync(file, seconds, seconds);

test('no stamp: build; stamp newer than every input: no build; an input newer than the stamp: build, naming it', (t) => {
  const root = tree();
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  t.is(staleReason(root), 'no finished build yet');
  fs.mkdirSync(path.join(root, 'dist'));
  const stamp = path.join(root, 'dist', '.build-stamp');
  fs.writeFileSync(stamp, 'x');
  for (const f of ['source/tui/a.ts', 'tsconfig.json']) at(path.join(root, f), 1_000_000);
  at(stamp, 2_000_000);
  t.is(staleReason(root), undefined);
  at(path.join(root, 'source', 'tui', 'a.ts'), 3_000_000);
  t.is(staleReason(root), `${path.join('source', 'tui', 'a.ts')} changed since the last build`);
  at(path.join(root, 'source', 'tui', 'a.ts'), 1_000_000);
  fs.writeFileSync(path.join(root, 'gateway', 'new.ts'), '');
  at(path.join(root, 'gateway', 'new.ts'), 3_000_000);
  t.regex(staleReason(root) ?? '', /gateway\/new\.ts changed/);
});
