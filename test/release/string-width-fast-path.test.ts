// The command bundles give string-width (Ink's copy and wrap-ansi's) a fast
// path: a string of characters that copy measures one column wide is as wide
// as it is long (source/build/string-width-fast-path.mjs). Checked here against
// each copy's own answers, on random strings of those characters.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// @ts-expect-error: a build script in plain JavaScript, without types
import { narrowCharacterClass, patchStringWidth } from '../../source/build/string-width-fast-path.mjs';

type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

/** The string-width copies the TUI bundle holds: Ink's, and wrap-ansi's own. */
function copies(): { name: string; file: string }[] {
  const inks = path.join(path.dirname(require.resolve('ink')), '..');
  const ink = path.join(path.dirname(require.resolve('string-width', { paths: [inks] })), 'index.js');
  const wrapAnsi = path.join(path.dirname(require.resolve('wrap-ansi', { paths: [inks] })));
  const wrapAnsis = path.join(path.dirname(require.resolve('string-width', { paths: [wrapAnsi] })), 'index.js');
  return [{ name: "Ink's", file: ink }, { name: "wrap-ansi's", file: wrapAnsis }];
}

/** A deterministic pseudo-random sequence (the test must fail the same way twice). */
function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

for (const { name, file } of copies()) {
  test(`${name} string-width measures strings of its one-column characters as long as they are`, async (t) => {
    const { default: stringWidth } = (await import(pathToFileURL(file).href)) as { default: StringWidth };
    const narrow = new RegExp(`^[${narrowCharacterClass(stringWidth) as string}]*$`);
    const characters: string[] = [];
    for (let code = 0x20; code < 0x2800; code++) if (narrow.test(String.fromCodePoint(code))) characters.push(String.fromCodePoint(code));
    t.true(characters.length > 1000, 'printable ASCII and most of the symbol blocks');
    for (const c of ['·', '…', '─', '═', '↑', '↓', '⏎', '○', '●', '›', '✘']) t.true(characters.includes(c), `the TUI's ${c} is one column`);
    t.false(characters.includes('\u00AD'), 'a soft hyphen is not');
    t.false(characters.includes('\u2705'), 'an emoji is not');
    const next = random(19);
    for (let n = 0; n < 2000; n++) {
      const length = 1 + Math.floor(next.next().value * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += characters[Math.floor(next.next().value * characters.length)];
      if (stringWidth(text) !== text.length) return t.fail(`${JSON.stringify(text)}: string-width says ${stringWidth(text)}, the fast path ${text.length}`);
    }
    t.pass();
  });

  test(`the fast path goes before ${name} string-width's grapheme loop, and an unknown shape fails the build`, async (t) => {
    const { default: stringWidth } = (await import(pathToFileURL(file).href)) as { default: StringWidth };
    const code = readFileSync(file, 'utf8');
    const patched = patchStringWidth(code, stringWidth) as string;
    t.true(patched.indexOf('if (ambiguousIsNarrow && /^[') < patched.indexOf('segmenter.segment('));
    t.throws(() => patchStringWidth(code.replace('const eastAsianWidthOptions', 'const options'), stringWidth), { message: /string-width-fast-path/ });
  });
}

/** The patched copy as a module of its own in `dir` (its package imports resolved from where the copy is). */
async function patchedCopy(file: string, dir: string, stringWidth: StringWidth): Promise<StringWidth> {
  const resolveBeside = createRequire(file);
  const code = (patchStringWidth(readFileSync(file, 'utf8'), stringWidth) as string).replace(/from '([^'.][^']*)'/g, (_all, name: string) => `from '${pathToFileURL(resolveBeside.resolve(name)).href}'`);
  const patched = path.join(dir, `string-width-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(patched, code);
  return ((await import(pathToFileURL(patched).href)) as { default: StringWidth }).default;
}

for (const { name, file } of copies()) {
  test(`${name} string-width, patched, measures what it measured before`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agw-string-width-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { default: original } = (await import(pathToFileURL(file).href)) as { default: StringWidth };
    const patched = await patchedCopy(file, dir, original);
    const samples = ['', 'plain ascii', '· lesson ─ done ⏎', '\u001B[31m· red ─\u001B[39m', '✅ done', '✔ ok', '👍🏽 thumbs', '日本語', 'e\u0301 combining', 'soft\u00ADhyphen', '↔ both', '\u200B zero width', 'tab\there', '# * 1'];
    for (const text of samples) {
      for (const options of [undefined, { ambiguousIsNarrow: false }, { countAnsiEscapeCodes: true }]) {
        t.is(patched(text, options), original(text, options), `${JSON.stringify(text)} ${JSON.stringify(options)}`);
      }
    }
  });
}

test('the TUI bundle holds both copies with their fast path', async (t) => {
  const chunks = path.join(root, 'dist/source/commands/chunks');
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  const code = readdirSync(chunks).map((f) => readFileSync(path.join(chunks, f), 'utf8')).join('\n');
  for (const { name, file } of copies()) {
    const { default: stringWidth } = (await import(pathToFileURL(file).href)) as { default: StringWidth };
    t.true(code.includes(`/^[${narrowCharacterClass(stringWidth) as string}]*$/.test(`), `${name} copy`);
  }
});
