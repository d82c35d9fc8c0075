// Grapheme segmentation without ICU for the strings a terminal UI mostly draws,
// patched into the command bundles (bundle-commands.mjs).
// Why: Ink, slice-ansi, ansi-tokenize and both string-widths each make an
// `Intl.Segmenter` when they load, and the first one loads ICU's break rules:
// ~10 ms of CPU before the TUI's first frame. Their strings are mostly ASCII,
// box drawing and punctuation, where every code point is a grapheme of its own.
// What: their `new Intl.Segmenter(…)` becomes this module's Segmenter. A string
// made only of characters that are a grapheme of their own beside any other such
// character (found at build time by asking Intl.Segmenter, among ASCII without
// CR and the Latin, punctuation and symbol blocks) is segmented one code unit
// at a time (all of them are in the BMP); any other string, or another
// granularity, goes to a real Intl.Segmenter, made on first need.

/** Code point ranges among which the characters that are a grapheme of their own are looked for. */
const CANDIDATE_RANGES = [
  [0x00, 0x7f],
  [0xa0, 0x2ff],
  [0x2010, 0x205e],
  [0x2190, 0x27bf],
];

/** Characters that stay one grapheme each beside any other of them, as a regular-expression class body. */
export function ownGraphemeClass() {
  const segmenter = new Intl.Segmenter();
  const graphemes = (text) => [...segmenter.segment(text)].length;
  const ranges = [];
  for (const [first, last] of CANDIDATE_RANGES) {
    for (let code = first; code <= last; code++) {
      const c = String.fromCodePoint(code);
      // CR joins a following LF; marks and joiners join what precedes them; neither passes this.
      if (graphemes(`a${c}${c}a`) !== 4 || graphemes(`${c}\n`) !== 2 || graphemes(`\n${c}`) !== 2) continue;
      const previous = ranges.at(-1);
      if (previous && previous[1] === code - 1) previous[1] = code;
      else ranges.push([code, code]);
    }
  }
  const u = (code) => `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return ranges.map(([a, b]) => (a === b ? u(a) : `${u(a)}-${u(b)}`)).join('');
}

/** The module the bundles import in place of Intl.Segmenter (ES module source). */
export function segmenterModule(ownGraphemes = ownGraphemeClass()) {
  return `// Intl.Segmenter without ICU for strings of characters that are a grapheme each (source/build/grapheme-fast-path.mjs).
const OWN_GRAPHEMES = /^[${ownGraphemes}]*$/;

class OneCodeUnitSegments {
  constructor(input) {
    this.input = input;
  }
  containing(index) {
    const n = Number(index);
    const at = Number.isNaN(n) ? 0 : Math.trunc(n);
    return at >= 0 && at < this.input.length ? { segment: this.input[at], index: at, input: this.input } : undefined;
  }
  *[Symbol.iterator]() {
    for (let at = 0; at < this.input.length; at++) yield { segment: this.input[at], index: at, input: this.input };
  }
}

export class Segmenter {
  #args;
  #icu;
  #graphemes;
  constructor(...args) {
    this.#args = args;
    this.#graphemes = (args[1]?.granularity ?? 'grapheme') === 'grapheme';
    // Another granularity, or options it does not know, make the real one now (and throw as it throws).
    if (!this.#graphemes) this.#real();
  }
  #real() {
    return (this.#icu ??= new Intl.Segmenter(...this.#args));
  }
  segment(input) {
    const text = String(input);
    if (this.#graphemes && OWN_GRAPHEMES.test(text)) return new OneCodeUnitSegments(text);
    return this.#real().segment(text);
  }
  resolvedOptions() {
    return this.#real().resolvedOptions();
  }
}
`;
}

/** A package module's code with its `new Intl.Segmenter(` made from `module` (the specifier of segmenterModule's code). */
export function patchSegmenter(code, module) {
  if (!code.includes('new Intl.Segmenter(')) throw new Error('grapheme-fast-path: no `new Intl.Segmenter(` in this module');
  return `import { Segmenter as __AgwSegmenter } from ${JSON.stringify(module)};\n${code.replaceAll('new Intl.Segmenter(', 'new __AgwSegmenter(')}`;
}
