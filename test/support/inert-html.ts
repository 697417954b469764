/**
 * Checks on sanitized HTML, read with a real HTML parser (htmlparser2, as a browser-like reader would):
 * nothing in it can run, and nothing in it fetches anything when it is shown.
 */
import assert from 'node:assert/strict';
import type { ChildNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';

// Attributes through which a browser fetches on its own (not on a click): images, media, frames,
// objects, backgrounds, prefetch pings, SVG references.
const FETCHING = new Set(
  'src srcset background poster data lowsrc dynsrc action formaction ping codebase archive manifest icon longdesc href xlink:href'.split(
    ' ',
  ),
);
// Elements that fetch or run whatever their attributes say.
const FORBIDDEN_TAGS = new Set(
  'script style link meta base iframe frame frameset object embed applet svg math image input video audio source picture track bgsound form'.split(
    ' ',
  ),
);
const RASTER_DATA = /^data:image\/(?:png|gif|jpe?g|webp);base64,[a-z0-9+/=]*$/i;

/** Asserts that `html` has no live remote reference and nothing that runs. */
export function assertInert(html: string): void {
  const document = parseDocument(html, { decodeEntities: true });
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (!('attribs' in node)) continue;
      checkElement(node as Element, html);
      walk((node as Element).children);
    }
  };
  walk(document.children);
}

function checkElement(element: Element, html: string): void {
  const tag = element.name.toLowerCase();
  assert.ok(!FORBIDDEN_TAGS.has(tag), `<${tag}> survived in ${html.slice(0, 500)}`);
  for (const [rawName, value] of Object.entries(element.attribs)) {
    const name = rawName.toLowerCase();
    const compact = value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
    assert.ok(!name.startsWith('on'), `event handler ${name} in ${html.slice(0, 500)}`);
    assert.doesNotMatch(compact, /javascript:|vbscript:|livescript:/, `${name}="${value}"`);
    if (name === 'style') {
      assert.doesNotMatch(
        compact,
        /url\(|image-set|expression|@import|behavior|binding|\\/,
        `style="${value}"`,
      );
    }
    if (!FETCHING.has(name)) continue;
    if (name === 'href' && tag === 'a') continue;
    assert.ok(
      name === 'src' && tag === 'img' && RASTER_DATA.test(compact),
      `<${tag} ${name}="${value}"> fetches`,
    );
  }
}
