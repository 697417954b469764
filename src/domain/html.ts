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
 *   base, meta (so `http-equiv=refresh`), link, picture/source, video, html/head/body.
 * - Attributes: an allowlist per tag; event handlers, `id`, `class`, `srcset`, `background`, `poster`
 *   never pass.
 * - Inline `style`: only the listed properties, each value matched whole by a pattern without
 *   parentheses (except plain `rgb()`), backslashes or colons, so no `url()`, `expression()`,
 *   `image-set()`, escapes or `javascript:` can ride in one; `position` is not listed, so no overlay.
 * - URLs: absolute only (a message has no base URL). Links may be http, https, mailto, tel, or a `#`
 *   fragment. Protocol-relative URLs are refused.
 * - Nothing is fetched when the stored HTML is shown (a remote image is a read receipt: tracking
 *   pixels). An http(s) image keeps its URL in `data-remote-src` and has no `src`: a renderer may copy
 *   it back into `src` when the viewer asks to load remote images. A `data:` URL of a raster image
 *   (png, gif, jpeg, webp), which fetches nothing, stays in `src`; `data:image/svg+xml` and every
 *   other `data:` type are refused. A `cid:` image names a part of the message, whose content is never
 *   stored: it keeps the Content-ID in `data-cid`, for a renderer to resolve or show as a placeholder.
 * - Links open in a new browsing context without an opener or a referrer, and are not endorsed
 *   (`target="_blank" rel="noopener noreferrer nofollow"`); restored images load without a referrer.
 * - Bounded work: sanitize-html and html-to-text cost grows with the square of the nesting depth, so
 *   HTML is cut to MAX_HTML_BYTES and before the first tag nested deeper than MAX_HTML_DEPTH (see
 *   html-depth.ts), with a visible note at the cut.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';
import sanitize from 'sanitize-html';
import { cutAtDepth } from './html-depth.ts';
import { capUtf8, TOO_DEEP_NOTE, TOO_LARGE_NOTE } from './truncation.ts';

/** The most HTML sanitized or read as text, in UTF-8 bytes; the rest is cut, with a note. */
export const MAX_HTML_BYTES = 1024 * 1024;
/** The most elements open at once that HTML is read to; it is cut before the first deeper tag. */
export const MAX_HTML_DEPTH = 200;

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
  img: ['src', 'data-remote-src', 'data-cid', 'alt', 'width', 'height', 'border', 'hspace', 'vspace'].concat([
    'referrerpolicy',
    'loading',
  ]),
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
// Every quantifier is bounded and no two adjacent ones can match the same characters, so each pattern
// runs in time linear in the value however it is built (`\d+\.?\d*` was quadratic on a run of digits:
// a 50,000-digit margin took 10 s).
const NUMBER = String.raw`-?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})`;
const LENGTH = `(?:${NUMBER}(?:px|pt|em|rem|ex|ch|%|vw|vh|cm|mm|in)?|auto)`;
const SPACE = String.raw`\s{0,8}`;
const RGB = String.raw`rgba?\(${SPACE}${NUMBER}%?${SPACE},${SPACE}${NUMBER}%?${SPACE},${SPACE}${NUMBER}%?${SPACE}(?:,${SPACE}${NUMBER}%?${SPACE})?\)`;
const COLOR = `(?:#[0-9a-f]{3,8}|[a-z]{1,40}|${RGB})`;
const WORD = `(?:[a-z-]{1,40}|${LENGTH}|${COLOR})`;
const ONE_LENGTH = [new RegExp(`^${LENGTH}$`, 'i')];
const LENGTHS = [new RegExp(`^${LENGTH}(?:\\s{1,8}${LENGTH}){0,3}$`, 'i')];
const ONE_COLOR = [new RegExp(`^${COLOR}$`, 'i')];
const KEYWORD = [/^[a-z-]{1,40}$/i];
const WORDS = [new RegExp(`^${WORD}(?:\\s{1,8}${WORD}){0,5}$`, 'i')];
const FONT_FAMILY = [/^[-\w\s,'"]{1,500}$/];

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
  'line-height': [new RegExp(`^${NUMBER}$`), ...ONE_LENGTH, ...KEYWORD],
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
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  nonTextTags: DROPPED_WITH_CONTENT,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const kept = { ...attribs };
      if (kept.href !== undefined && !LINK_URL.test(compact(kept.href))) delete kept.href;
      return { tagName, attribs: { ...kept, target: '_blank', rel: 'noopener noreferrer nofollow' } };
    },
    img: (tagName, attribs) => ({ tagName, attribs: inertImage(attribs) }),
  },
};

const IMAGE_REFERENCES = new Set(['src', 'data-remote-src', 'data-cid']);

// The image's one reference (a raster `data:` src, a remote URL kept inert, or a Content-ID) takes
// the place of the first reference attribute, so that sanitizing stored HTML again changes nothing.
function inertImage(attribs: sanitize.Attributes): sanitize.Attributes {
  const reference = imageReference(attribs);
  const kept: sanitize.Attributes = {};
  let placed = false;
  for (const [name, value] of Object.entries(attribs)) {
    if (name === 'referrerpolicy' || name === 'loading') continue;
    if (!IMAGE_REFERENCES.has(name)) kept[name] = value;
    else if (!placed && reference) {
      kept[reference.name] = reference.value;
      placed = true;
    }
  }
  return { ...kept, referrerpolicy: 'no-referrer', loading: 'lazy' };
}

function imageReference(attribs: sanitize.Attributes): { name: string; value: string } | undefined {
  const src = compact(attribs.src ?? '');
  if (RASTER_DATA_URL.test(src)) return { name: 'src', value: attribs.src as string };
  if (REMOTE_URL.test(src)) return { name: 'data-remote-src', value: src };
  if (/^cid:/i.test(src)) return contentId(src.slice(4));
  const remote = compact(attribs['data-remote-src'] ?? '');
  if (REMOTE_URL.test(remote)) return { name: 'data-remote-src', value: remote };
  return contentId(attribs['data-cid'] ?? '');
}

function contentId(value: string): { name: string; value: string } | undefined {
  const id = compact(value).replace(/^<|>$/g, '');
  return CONTENT_ID.test(id) ? { name: 'data-cid', value: id } : undefined;
}

// Links and images must be absolute: a message has no base URL, so a relative one could only resolve
// against wherever it is displayed. A link may also point within the message (`#top`). The scheme check
// that runs after these transforms stays as a second, independent guard.
const LINK_URL = /^(?:https?:|mailto:|tel:|#)/i;
const REMOTE_URL = /^https?:/i;
const RASTER_DATA_URL = /^data:image\/(?:png|gif|jpe?g|webp);base64,[a-z0-9+/=]*$/i;
const CONTENT_ID = /^[\x21-\x7e]{1,250}$/;

// Browsers ignore whitespace and control characters inside a URL's scheme ("jav\tascript:"), so the
// value is judged without them.
function compact(url: string): string {
  return url.replace(/[\s\p{Cc}]/gu, '');
}

/** Sanitized HTML, and whether it was cut for its size or its nesting. */
export interface SanitizedHtml {
  html: string;
  tooLarge: boolean;
  tooDeep: boolean;
}

// Room kept under MAX_HTML_BYTES for the notes.
const NOTE_ROOM = 200;

/**
 * Email HTML with everything that could run, navigate, submit, fetch or restyle the page taken out, at
 * most MAX_HTML_BYTES, saying whether and why it was cut.
 */
export function sanitizeBounded(html: string): SanitizedHtml {
  const sized = capUtf8(html, MAX_HTML_BYTES - NOTE_ROOM);
  const shallow = cutAtDepth(sized.value, MAX_HTML_DEPTH);
  const clean = sanitize(shallow.html, SANITIZE_OPTIONS).trim();
  // Sanitizing can lengthen HTML (escaped `&`, added `rel`); the second cut is made after a tag's
  // closing `>`: a prefix of sanitized HTML that ends between tags holds only whole, checked tags
  // (elements left open are closed by the browser).
  const recapped = capUtf8(clean, MAX_HTML_BYTES - NOTE_ROOM);
  const value = recapped.truncated ? recapped.value.slice(0, recapped.value.lastIndexOf('>') + 1) : clean;
  const tooLarge = sized.truncated || recapped.truncated;
  const notes = [tooLarge ? TOO_LARGE_NOTE : '', shallow.cut ? TOO_DEEP_NOTE : ''].filter(Boolean);
  const noted = notes.length === 0 ? value : `${value}<p>${notes.join(' ')}</p>`;
  return { html: noted, tooLarge, tooDeep: shallow.cut };
}

/** Email HTML with everything that could run, navigate, submit, fetch or restyle the page taken out. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeBounded(html).html;
}

// html-to-text walks the document recursively: a cap on depth keeps a hostile nesting from exhausting
// the stack (its input is cut to MAX_HTML_DEPTH first, so this cap only guards). It has an input cap of
// its own, but it writes a notice to stderr when it cuts, so the input is cut here first and its cap set
// above.
const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  limits: { maxDepth: MAX_HTML_DEPTH + 56, maxInputLength: MAX_HTML_BYTES + 1 },
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
  const shallow = cutAtDepth(capUtf8(html, MAX_HTML_BYTES).value, MAX_HTML_DEPTH).html;
  return convert(shallow, TEXT_OPTIONS)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
