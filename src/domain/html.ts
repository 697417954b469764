/**
 * Email HTML made safe to display, and read as plain text.
 *
 * Sanitizer policy (ARCHITECTURE "Security": sanitized on ingest, then rendered in a sandboxed frame;
 * this is the first of those two walls and must hold on its own):
 * - Kept: text formatting, headings, lists, quotes, layout tables and their presentational attributes,
 *   links, images: what newsletters and signatures are built from.
 * - Dropped with their content: script, style, title, noscript, template, iframe, svg, math and kin.
 *   `<style>` blocks go because CSS rules reach beyond the message (selectors, `@import`, `url()`
 *   fetches); responsive newsletters lose their media queries, and nothing else.
 * - Dropped, content kept: every other tag, among them forms and their controls, object, embed,
 *   base, meta (so `http-equiv=refresh`), link, html/head/body.
 * - Attributes: an allowlist per tag; event handlers, `id`, `class`, `srcset` never pass.
 * - Inline `style`: only the listed properties, each value matched whole by a pattern without
 *   parentheses (except plain `rgb()`), backslashes or colons, so no `url()`, `expression()`,
 *   `image-set()`, escapes or `javascript:` can ride in one; `position` is not listed, so no overlay.
 * - URLs: absolute only (a message has no base URL). Links may be http, https, mailto, tel, or a `#`
 *   fragment. Images may be http, https, or a `data:` URL of a raster
 *   image (png, gif, jpeg, webp), which some clients use for pasted signatures and which fetch nothing;
 *   `data:image/svg+xml` and every other `data:` type are refused. Protocol-relative URLs are refused.
 * - `cid:` images lose their `src` and keep their `alt`: they point at a part of the message, and
 *   attachment contents are never stored, so the reference could only render as a broken image.
 * - Links open in a new browsing context without an opener or a referrer, and are not endorsed
 *   (`target="_blank" rel="noopener noreferrer nofollow"`); remote images are fetched without a
 *   referrer.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';
import sanitize from 'sanitize-html';

const ALLOWED_TAGS = [
  ...['a', 'abbr', 'address', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br', 'center', 'cite', 'code'],
  ...['dd', 'del', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'hr', 'i', 'img'],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp'],
  ...['small', 'span', 'strike', 'strong', 'sub', 'sup', 'tt', 'u', 'ul', 'var', 'wbr'],
  ...['table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'],
];

// Whose text would show as junk or carry code if only the tag were dropped.
const DROPPED_WITH_CONTENT = [
  ...['script', 'style', 'title', 'noscript', 'template', 'textarea', 'option', 'xmp', 'noembed'],
  ...['noframes', 'iframe', 'object', 'svg', 'math', 'head'],
];

const CELL = ['width', 'height', 'bgcolor', 'valign', 'colspan', 'rowspan', 'nowrap', 'scope'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['style', 'dir', 'lang', 'title', 'align'],
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'border', 'hspace', 'vspace', 'referrerpolicy', 'loading'],
  table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'role', 'summary'],
  td: CELL,
  th: CELL,
  tr: ['bgcolor', 'valign', 'height'],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  font: ['color', 'face', 'size'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
};

// CSS values, each matched whole. None admits `(` except the fixed rgb()/rgba() form, nor `\` or `:`.
const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)`;
const LENGTH = `(?:${NUMBER}(?:px|pt|em|rem|ex|ch|%|vw|vh|cm|mm|in)?|auto)`;
const RGB = String.raw`rgba?\(\s*${NUMBER}%?\s*,\s*${NUMBER}%?\s*,\s*${NUMBER}%?\s*(?:,\s*${NUMBER}%?\s*)?\)`;
const COLOR = `(?:#[0-9a-f]{3,8}|[a-z]+|${RGB})`;
const WORD = `(?:[a-z-]+|${LENGTH}|${COLOR})`;
const ONE_LENGTH = [new RegExp(`^${LENGTH}$`, 'i')];
const LENGTHS = [new RegExp(`^${LENGTH}(?:\\s+${LENGTH}){0,3}$`, 'i')];
const ONE_COLOR = [new RegExp(`^${COLOR}$`, 'i')];
const KEYWORD = [/^[a-z-]+$/i];
const WORDS = [new RegExp(`^${WORD}(?:\\s+${WORD}){0,5}$`, 'i')];
const FONT_FAMILY = [/^[-\w\s,'"]+$/];

const STYLE_PROPERTIES: Record<string, RegExp[]> = {
  color: ONE_COLOR,
  'background-color': ONE_COLOR,
  'font-family': FONT_FAMILY,
  'font-size': [...ONE_LENGTH, ...KEYWORD],
  'font-weight': [/^(?:[a-z]+|\d{3})$/i],
  'font-style': KEYWORD,
  'font-variant': KEYWORD,
  'text-align': KEYWORD,
  'text-decoration': WORDS,
  'text-transform': KEYWORD,
  'text-indent': ONE_LENGTH,
  'line-height': [/^(?:\d+\.?\d*|\.\d+)$/, ...ONE_LENGTH, ...KEYWORD],
  'letter-spacing': [...ONE_LENGTH, ...KEYWORD],
  'word-spacing': [...ONE_LENGTH, ...KEYWORD],
  'white-space': KEYWORD,
  'vertical-align': [...ONE_LENGTH, ...KEYWORD],
  direction: KEYWORD,
  display: KEYWORD,
  float: KEYWORD,
  clear: KEYWORD,
  'list-style-type': KEYWORD,
  'table-layout': KEYWORD,
  'border-collapse': KEYWORD,
  'border-spacing': LENGTHS,
  width: ONE_LENGTH,
  height: ONE_LENGTH,
  'min-width': ONE_LENGTH,
  'max-width': ONE_LENGTH,
  'min-height': ONE_LENGTH,
  'max-height': ONE_LENGTH,
  'border-radius': LENGTHS,
  overflow: KEYWORD,
};
for (const side of ['', '-top', '-right', '-bottom', '-left']) {
  STYLE_PROPERTIES[`margin${side}`] = side ? ONE_LENGTH : LENGTHS;
  STYLE_PROPERTIES[`padding${side}`] = side ? ONE_LENGTH : LENGTHS;
  STYLE_PROPERTIES[`border${side}`] = WORDS;
  STYLE_PROPERTIES[`border${side}-color`] = ONE_COLOR;
  STYLE_PROPERTIES[`border${side}-style`] = KEYWORD;
  STYLE_PROPERTIES[`border${side}-width`] = side ? ONE_LENGTH : LENGTHS;
}

const SANITIZE_OPTIONS: sanitize.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedStyles: { '*': STYLE_PROPERTIES },
  allowedClasses: {},
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_CONTENT,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const kept = { ...attribs };
      if (kept.href !== undefined && !LINK_URL.test(compact(kept.href))) delete kept.href;
      return { tagName, attribs: { ...kept, target: '_blank', rel: 'noopener noreferrer nofollow' } };
    },
    img: (tagName, attribs) => {
      const kept = { ...attribs };
      if (kept.src !== undefined && !IMAGE_URL.test(compact(kept.src))) delete kept.src;
      return { tagName, attribs: { ...kept, referrerpolicy: 'no-referrer', loading: 'lazy' } };
    },
  },
};

// Links and images must be absolute: a message has no base URL, so a relative one could only resolve
// against wherever it is displayed. A link may also point within the message (`#top`). The scheme check
// that runs after these transforms stays as a second, independent guard.
const LINK_URL = /^(?:https?:|mailto:|tel:|#)/i;
const IMAGE_URL = /^(?:https?:|data:image\/(?:png|gif|jpe?g|webp);base64,[a-z0-9+/=]*$)/i;

// Browsers ignore whitespace and control characters inside a URL's scheme ("jav\tascript:"), so the
// value is judged without them.
function compact(url: string): string {
  return url.replace(/[\s\p{Cc}]/gu, '');
}

/** Email HTML with everything that could run, navigate, submit or restyle the page taken out. */
export function sanitizeEmailHtml(html: string): string {
  return sanitize(html, SANITIZE_OPTIONS).trim();
}

// The most HTML read as text. html-to-text has an input cap of its own, but it writes a notice to stderr
// when it cuts, so the input is cut here first and its cap set just above.
const MAX_TEXT_INPUT = 4 * 1024 * 1024;

// html-to-text walks the document recursively: a cap on depth keeps a hostile nesting from exhausting
// the stack.
const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  limits: { maxDepth: 256, maxInputLength: MAX_TEXT_INPUT + 1 },
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    // Email tables are mostly layout: each cell reads as its own block, not as a grid of columns.
    { selector: 'table', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'title', format: 'skip' },
  ],
};

/** A plain-text reading of email HTML, for messages without a text part and for search and snippets. */
export function htmlToText(html: string): string {
  return convert(html.slice(0, MAX_TEXT_INPUT), TEXT_OPTIONS)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
