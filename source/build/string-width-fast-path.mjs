// A fast path for string-width, patched into the command bundles (bundle-commands.mjs).
// Why: Ink measures every line it draws with string-width (its own copy, and
// wrap-ansi's older one). Both measure a string that is not plain ASCII grapheme
// by grapheme against Unicode property regular expressions (\p{RGI_Emoji},
// emoji-regex); V8 compiles those on first use, ~20 ms for the first string
// with a `·` or a `─`, and ~45 µs a string after that. The TUI draws such
// strings on every frame (borders, `·`, `…`, arrows, `⏎`).
// What: a string made only of characters that the same copy measures one
// column wide, alone and next to each other, is as wide as it is long. Those
// characters are found here by asking that copy, character by character, among
// printable ASCII and the symbol blocks terminal UIs draw with (Latin-1,
// punctuation, arrows, maths, technical, box drawing, shapes, dingbats); none of
// them joins a neighbour into one grapheme, and emoji (two columns) measure 2 and
// stay out. Only with the default `ambiguousIsNarrow` (the copy's default): some
// of these are East Asian Ambiguous, two columns otherwise.

/** Code point ranges among which the one-column characters are looked for. */
const CANDIDATE_RANGES = [
  [0x20, 0x7e],
  [0xa0, 0xff],
  [0x2010, 0x205e],
  [0x2190, 0x23ff],
  [0x2500, 0x27bf],
];

const segmenter = new Intl.Segmenter();
const graphemes = (text) => [...segmenter.segment(text)].length;

/** The characters `stringWidth` measures one column wide, alone and beside others, as a regular-expression class body. */
export function narrowCharacterClass(stringWidth) {
  const ranges = [];
  for (const [first, last] of CANDIDATE_RANGES) {
    for (let code = first; code <= last; code++) {
      const c = String.fromCodePoint(code);
      const narrow = stringWidth(c) === 1 && stringWidth(`a${c}${c}a`) === 4 && graphemes(`a${c}${c}a`) === 4;
      if (!narrow) continue;
      const previous = ranges.at(-1);
      if (previous && previous[1] === code - 1) previous[1] = code;
      else ranges.push([code, code]);
    }
  }
  const u = (code) => `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return ranges.map(([a, b]) => (a === b ? u(a) : `${u(a)}-${u(b)}`)).join('');
}

/**
 * `const name = EXPRESSION;` made on first `name.method(x)`: the module's only use of it, else this
 * throws. string-width 8 builds \p{RGI_Emoji} (every emoji sequence) when it loads, ~8 ms, which the
 * fast path makes needless for most screens.
 */
function lazyConstant(code, name, method) {
  const declaration = new RegExp(`^const ${name} = (.+);$`, 'm');
  const found = code.match(declaration);
  const uses = code.split(name).length - 1;
  if (!found || uses !== 1 + code.split(`${name}.${method}(`).length - 1) {
    throw new Error(`string-width-fast-path: string-width's ${name} is no longer a constant used only as ${name}.${method}(): check its index.js`);
  }
  return code.replace(declaration, () => `let ${name}Made;\nconst ${name} = {${method}: (value) => (${name}Made ??= ${found[1]}).${method}(value)};`);
}

/** string-width's index.js (7.x or 8.x) with the fast path before its grapheme loop; throws when the code has another shape. */
export function patchStringWidth(code, stringWidth) {
  if (code.includes('const rgiEmojiRegex = ')) code = lazyConstant(code, 'rgiEmojiRegex', 'test');
  const anchor = '\tconst eastAsianWidthOptions = {ambiguousAsWide: !ambiguousIsNarrow};';
  const at = code.indexOf(anchor);
  if (at < 0 || code.indexOf(anchor, at + 1) >= 0 || !/\bstring = stripAnsi\(string\)/.test(code.slice(0, at))) {
    throw new Error('string-width-fast-path: this string-width no longer has one `eastAsianWidthOptions` line after stripAnsi: check its index.js');
  }
  const fastPath = `\t// One-column characters only (source/build/string-width-fast-path.mjs).\n\tif (ambiguousIsNarrow && /^[${narrowCharacterClass(stringWidth)}]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n`;
  return code.slice(0, at) + fastPath + code.slice(at);
}
