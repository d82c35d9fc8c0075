// The command bundles replace the Intl.Segmenter of Ink's packages with one
// that segments strings of characters that are a grapheme each without ICU
// (source/build/grapheme-fast-path.mjs). Checked here against Intl.Segmenter.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// @ts-expect-error: a build script in plain JavaScript, without types
import { ownGraphemeClass, patchSegmenter, segmenterModule } from '../../source/build/grapheme-fast-path.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
type SegmenterClass = typeof Intl.Segmenter;

async function bundledSegmenter(t: { teardown(fn: () => void): void }): Promise<SegmenterClass> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'agw-graphemes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'graphemes.mjs');
  writeFileSync(file, segmenterModule() as string);
  return ((await import(pathToFileURL(file).href)) as { Segmenter: SegmenterClass }).Segmenter;
}

/** Everything a caller can see of a segmentation: the segments in order, and containing() at every index and beyond. */
function observed(segmenter: Intl.Segmenter, text: string): unknown {
  const segments = segmenter.segment(text);
  const at = [-1, 0, 0.5, 1.7, Number.NaN, undefined, text.length - 1, text.length, Infinity, ...Array.from(text, (_c, i) => i)];
  return { all: [...segments].map((s) => ({ ...s })), containing: at.map((i) => ({ ...segments.containing(i as number) })) };
}

function* random(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

test('strings of characters that are a grapheme each segment as Intl.Segmenter segments them', async (t) => {
  const Segmenter = await bundledSegmenter(t);
  const own = new RegExp(`^[${ownGraphemeClass() as string}]$`);
  const characters: string[] = [];
  for (let code = 0; code < 0x2800; code++) if (own.test(String.fromCharCode(code))) characters.push(String.fromCharCode(code));
  t.true(characters.length > 1500);
  for (const c of ['a', '\n', '\u001B', '─', '·', '✔', 'é']) t.true(characters.includes(c), JSON.stringify(c));
  for (const c of ['\r', '\u0301', '\u200D', '\uFE0F']) t.false(characters.includes(c), JSON.stringify(c));
  const ours = new Segmenter();
  const icu = new Intl.Segmenter();
  const next = random(19);
  for (let n = 0; n < 1000; n++) {
    let text = '';
    const length = Math.floor(next.next().value * 30);
    for (let i = 0; i < length; i++) text += characters[Math.floor(next.next().value * characters.length)];
    t.deepEqual(observed(ours, text), observed(icu, text), JSON.stringify(text));
  }
});

test('any other string, and another granularity, is segmented by Intl.Segmenter itself', async (t) => {
  const Segmenter = await bundledSegmenter(t);
  const ours = new Segmenter(undefined, { granularity: 'grapheme' });
  const icu = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const text of ['a\r\nb', 'e\u0301', '✔\uFE0F done', '👍🏽 ok', '🇫🇷', '한국어', '\u001B[31m┃ red\u001B[39m ✅', '']) {
    t.deepEqual(observed(ours, text), observed(icu, text), JSON.stringify(text));
  }
  const words = new Segmenter('en', { granularity: 'word' });
  t.deepEqual([...words.segment('two words.')].map((s) => ({ ...s })), [...new Intl.Segmenter('en', { granularity: 'word' }).segment('two words.')].map((s) => ({ ...s })));
  t.throws(() => new Segmenter(undefined, { granularity: 'letter' as 'word' }), { instanceOf: RangeError });
});

test('a module without Intl.Segmenter fails the build', (t) => {
  t.throws(() => patchSegmenter('export const x = 1;', 'agw:graphemes'), { message: /grapheme-fast-path/ });
});

test('in the bundles, Intl.Segmenter is made only by the fast path module', (t) => {
  const chunks = path.join(root, 'dist/source/commands/chunks');
  if (!existsSync(chunks)) return t.fail(`${chunks} is missing: npm run build first`);
  const code = readdirSync(chunks).map((f) => readFileSync(path.join(chunks, f), 'utf8')).join('\n');
  const made = code.match(/new Intl\.Segmenter\([^)]*\)/g) ?? [];
  t.is(made.length, 1);
  t.regex(made[0] ?? '', /^new Intl\.Segmenter\(\.\.\.this\.#\w+\)$/, "the fast path module's own, on its constructor's arguments");
});
