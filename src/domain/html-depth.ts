/**
 * How deep HTML nests, measured as the parser that sanitizes it would nest it, in linear time.
 *
 * htmlparser2 (inside sanitize-html) keeps its open elements in an array it `unshift`s, and
 * sanitize-html walks its own stack for each piece of text, so work grows with the square of the
 * nesting: `<b>` × 150,000 took 19 s. Its Tokenizer alone is linear, so this module drives the same
 * Tokenizer (same options) and keeps the parser's stack rules itself, with the top at the end of an
 * array: implied closes (`<p>` closes an open `p` …), void elements, `</x>` closing up to the nearest
 * open `x`, a second `<form>` ignored, and SVG/MathML foreign content (where raw-text rules change and
 * `<x/>` closes). The HTML is cut before the first start tag that would open one element more than the
 * limit: a prefix of a document that ends before a tag parses to exactly the same elements up to there,
 * so the sanitizer then never holds more than `maxDepth` open elements.
 */
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

// htmlparser2's own tables (Parser.js: openImpliesClose, voidElements, htmlIntegrationElements).
const P = ['p'];
const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p'];
const FORM = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];
const IMPLIES_CLOSE = new Map<string, Set<string>>(
  Object.entries({
    tr: ['tr', 'th', 'td'],
    th: ['th'],
    td: ['thead', 'th', 'td'],
    body: ['head', 'link', 'script'],
    a: ['a'],
    li: ['li'],
    p: P,
    ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((name) => [name, HEADINGS])),
    ...Object.fromEntries(
      ['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((n) => [n, FORM]),
    ),
    option: ['option'],
    optgroup: ['optgroup', 'option'],
    dd: ['dd', 'dt'],
    dt: ['dd', 'dt'],
    ...Object.fromEntries(
      'address article aside blockquote details div dl fieldset figcaption figure footer form header hr main nav ol pre section table ul'
        .split(' ')
        .map((name) => [name, P]),
    ),
    rt: ['rt', 'rp'],
    rp: ['rt', 'rp'],
    tbody: ['thead', 'tbody'],
    tfoot: ['thead', 'tbody'],
  }).map(([name, closes]) => [name, new Set(closes)]),
);
const VOID = new Set(
  'area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr'.split(
    ' ',
  ),
);
const INTEGRATION = new Set(['mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'desc', 'title']);

interface Open {
  name: string;
  /** Whether opening it entered (or left) foreign content, so closing it must restore the context. */
  context: boolean;
}

/** `html` cut before the first tag that would nest deeper than `maxDepth`, and whether it was cut. */
export function cutAtDepth(html: string, maxDepth: number): { html: string; cut: boolean } {
  const stack: Open[] = [];
  const foreign: boolean[] = [false];
  let tagname = '';
  let cutAt = -1;
  const inForeign = () => foreign[foreign.length - 1] === true;
  const pop = () => {
    if (stack.pop()?.context) foreign.pop();
  };
  const nameOf = (start: number, end: number) => {
    const name = html.slice(start, end).toLowerCase();
    return name === 'image' && !inForeign() ? 'img' : name;
  };
  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      if (cutAt !== -1) return;
      const name = nameOf(start, end);
      tagname = name;
      if (name === 'form' && stack.some((open) => open.name === 'form')) {
        tagname = '';
        return;
      }
      const closes = IMPLIES_CLOSE.get(name);
      while (closes && stack.length > 0 && closes.has((stack[stack.length - 1] as Open).name)) pop();
      if (VOID.has(name)) return;
      if (stack.length >= maxDepth) {
        cutAt = start - 1;
        return;
      }
      const entersForeign = name === 'svg' || name === 'math';
      const integration = INTEGRATION.has(name) || (name === 'foreignobject' && inForeign());
      if (entersForeign || integration) foreign.push(entersForeign);
      stack.push({ name, context: entersForeign || integration });
    },
    onopentagend() {
      tagname = '';
    },
    onselfclosingtag() {
      if (cutAt === -1 && inForeign() && tagname !== '' && stack[stack.length - 1]?.name === tagname) pop();
      tagname = '';
    },
    onclosetag(start, end) {
      if (cutAt !== -1) return;
      const name = nameOf(start, end);
      if (VOID.has(name)) return;
      let index = stack.length - 1;
      while (index >= 0 && (stack[index] as Open).name !== name) index--;
      while (index >= 0 && stack.length > index) pop();
    },
    isInForeignContext: inForeign,
    onattribdata() {},
    onattribentity() {},
    onattribend() {},
    onattribname() {},
    oncdata() {},
    oncomment() {},
    ondeclaration() {},
    onend() {},
    onprocessinginstruction() {},
    ontext() {},
    ontextentity() {},
  };
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, callbacks);
  tokenizer.write(html);
  tokenizer.end();
  return cutAt === -1 ? { html, cut: false } : { html: html.slice(0, cutAt), cut: true };
}
