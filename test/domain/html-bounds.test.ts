import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { htmlToText, MAX_HTML_BYTES, MAX_HTML_DEPTH, sanitizeBounded } from '../../src/domain/html.ts';
import { cutAtDepth } from '../../src/domain/html-depth.ts';
import { MAX_BODY_BYTES, parseMessage } from '../../src/domain/mime.ts';
import { TOO_DEEP_NOTE, TOO_LARGE_NOTE } from '../../src/domain/truncation.ts';

const VOID = new Set(
  'area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr'.split(
    ' ',
  ),
);

/**
 * The most elements htmlparser2 itself (the sanitizer's parser) holds open at once reading `html`. A
 * void element, and the `p` that a stray `</p>` opens, are reported as opened and at once closed: they
 * are never held open, so they are not counted.
 */
function parserDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  let transient = false;
  const parser = new Parser(
    {
      onopentag(name, _attributes, implied) {
        if (VOID.has(name) || implied) {
          transient = true;
          return;
        }
        depth++;
        deepest = Math.max(deepest, depth);
      },
      onclosetag() {
        if (transient) transient = false;
        else depth--;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return deepest;
}

function htmlMail(html: string): Buffer {
  return Buffer.from(
    ['From: ann@candidate.com', 'To: jane@acme.com', 'Content-Type: text/html; charset=utf-8', '', html].join(
      '\r\n',
    ),
    'utf8',
  );
}

// Pieces that move htmlparser2's stack in every way it has: implied closes, void elements, end tags
// that close several elements or none, a second form, foreign content (where `<x/>` closes and
// `<title>` is not raw text), raw-text elements whose end tags hide inside them, comments, CDATA.
const FRAGMENTS = [
  '<b>',
  '</b>',
  '<i>',
  '</i>',
  '<div>',
  '</div>',
  '<p>',
  '</p>',
  '<li>',
  '<ul>',
  '</ul>',
  '<td>',
  '<tr>',
  '<table>',
  '</table>',
  '<tbody>',
  '<option>',
  '<select>',
  '<form>',
  '</form>',
  '<br>',
  '</br>',
  '<img>',
  '<image>',
  '</image>',
  '<hr/>',
  '<b/>',
  '<svg>',
  '</svg>',
  '<math>',
  '</math>',
  '<foreignObject>',
  '</foreignobject>',
  '<mtext>',
  '<title>',
  '</title>',
  '<desc>',
  '<script>',
  '</script>',
  '<style>',
  '</style>',
  '<textarea>',
  '</textarea>',
  '<xmp>',
  '</xmp>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!x>',
  '<?x>',
  '<a href="x>y">',
  '</a>',
  "<b title='</b>'>",
  'text',
  '&amp;',
  '<',
  '>',
  '"',
  '</',
  '<h1>',
  '<h2>',
  '<dd>',
  '<dt>',
  '<rt>',
  '<head>',
  '<body>',
  '<noscript>',
  '</noscript>',
  '<plaintext>',
];

describe('hardening: HTML is read only to a bounded size and nesting depth', () => {
  it('hardening: the depth cut never lets htmlparser2 nest deeper than the limit, and cuts only then', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 120 }),
        fc.integer({ min: 1, max: 12 }),
        (pieces, limit) => {
          const html = pieces.join('');
          const result = cutAtDepth(html, limit);
          assert.ok(parserDepth(result.html) <= limit, `deeper than ${limit} after the cut: ${result.html}`);
          assert.equal(result.cut, parserDepth(html) > limit, `cut ${result.cut} for ${html}`);
          if (result.cut) assert.ok(html.startsWith(result.html));
        },
      ),
      { numRuns: 2000, seed: 8 },
    );
  });

  it(`hardening: <b> × 150,000 is read to ${MAX_HTML_DEPTH} levels, with a visible note`, async () => {
    const result = sanitizeBounded('<b>'.repeat(150_000));
    assert.equal(result.tooDeep, true);
    assert.ok(result.html.endsWith(`<p>${TOO_DEEP_NOTE}</p>`));
    assert.equal(parserDepth(result.html), MAX_HTML_DEPTH);
    const message = await parseMessage(htmlMail(`<p>Hello</p>${'<div>'.repeat(100_000)}deep`));
    assert.equal(message.truncated.depth, true);
    assert.equal(message.truncated.html, false);
    assert.ok(message.html?.includes(TOO_DEEP_NOTE));
    assert.match(message.text, /^Hello[\s\S]*\[message truncated: too deeply nested\]$/);
  });

  it('hardening: ordinary nesting is read whole', () => {
    const nested = `${'<div><table><tr><td>'.repeat(40)}deep${'</td></tr></table></div>'.repeat(40)}`;
    const result = sanitizeBounded(nested);
    assert.equal(result.tooDeep, false);
    assert.ok(!result.html.includes(TOO_DEEP_NOTE));
    assert.match(htmlToText(nested), /^deep$/);
  });

  it(`hardening: HTML past ${MAX_HTML_BYTES} bytes ends with a visible note and says it was cut`, async () => {
    const message = await parseMessage(htmlMail('<p>words and more words</p>'.repeat(80_000)));
    assert.equal(message.truncated.html, true);
    assert.ok(message.html?.endsWith(`<p>${TOO_LARGE_NOTE}</p>`));
    assert.ok(Buffer.byteLength(message.html ?? '') <= MAX_BODY_BYTES);
  });

  it(`hardening: text past ${MAX_BODY_BYTES} bytes ends with a visible note and says it was cut`, async () => {
    const raw = Buffer.from(
      [
        'From: ann@candidate.com',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'word '.repeat(300_000),
      ].join('\r\n'),
    );
    const message = await parseMessage(raw);
    assert.equal(message.truncated.text, true);
    assert.ok(message.text.endsWith(`\n\n${TOO_LARGE_NOTE}`));
    assert.equal(Buffer.byteLength(message.text), MAX_BODY_BYTES);
  });
});
