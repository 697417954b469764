import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeEmailHtml } from '../../src/domain/html.ts';
import { assertInert } from '../support/inert-html.ts';

const T = 'https://t.example/p.gif';

// Every way we know of for an email to make its reader fetch something (a tracking pixel, a font,
// a stylesheet), with the usual disguises: case, whitespace and control characters, entity-encoded
// schemes, protocol-relative URLs, CSS escapes and quoting inside url().
const VECTORS = [
  `<img src="${T}">`,
  `<IMG SRC="${T}">`,
  `<img src='${T}'>`,
  `<img src=${T}>`,
  `<img\nsrc="${T}">`,
  '<img src="//t.example/p.gif">',
  '<img src="  HTTPS://t.example/p.gif  ">',
  '<img src="&#104;ttps://t.example/p.gif">',
  '<img src="&#x68;&#x74;&#x74;&#x70;&#x73;&#x3a;//t.example/p.gif">',
  '<img src="ht&#x09;tps://t.example/p.gif">',
  '<img src="https&colon;&sol;&sol;t.example/p.gif">',
  '<img src="\u0001https://t.example/p.gif">',
  '<img src="https:\\\\t.example\\p.gif">',
  '<img srcset="https://t.example/a.png 1x, https://t.example/b.png 2x">',
  '<img src="data:image/png;base64,AAAA" srcset="https://t.example/x 2x">',
  '<img src="cid:logo@x" srcset="https://t.example/x 1x">',
  '<img lowsrc="https://t.example/l.png" dynsrc="https://t.example/d.avi">',
  '<image src="https://t.example/i.png">',
  '<picture><source srcset="https://t.example/a.webp"><img src="https://t.example/a.png"></picture>',
  '<table background="https://t.example/bg.png"><tr><td background="//t.example/c.png">x</td></tr></table>',
  '<body background="https://t.example/b.png">x</body>',
  '<video poster="https://t.example/p.png" src="https://t.example/v.mp4"></video>',
  '<audio src="https://t.example/a.mp3"></audio><bgsound src="https://t.example/s.wav">',
  '<div style="background:url(https://t.example/a.png)">x</div>',
  '<div style="background-image: url(  &quot;https://t.example/a.png&quot; )">x</div>',
  `<div style="background-image:url( 'https://t.example/a.png' )">x</div>`,
  '<div style="background-image:u\\72l(https://t.example/a.png)">x</div>',
  '<div style="background:\\75\\72\\6c(https://t.example/a.png)">x</div>',
  '<div style="list-style-image:url(//t.example/x.png)">x</div>',
  '<div style="border-image:url(https://t.example/b.png) 30">x</div>',
  '<div style="content:url(https://t.example/b.png)">x</div>',
  `<div style="background-image:image-set('https://t.example/a.png' 1x)">x</div>`,
  '<div style="behavior:url(https://t.example/x.htc)">x</div>',
  '<div style="background:&#117;rl(https://t.example/a.png)">x</div>',
  '<div style="background-color:red;background-image:url(https://t.example/a.png)">x</div>',
  '<style>@import url(https://t.example/s.css); p{background:url(https://t.example/b)}</style><p>x</p>',
  '<style>@font-face{src:url(https://t.example/f.woff)}</style>',
  '<link rel="stylesheet" href="https://t.example/s.css">',
  '<link rel="preload" as="image" href="https://t.example/p.png">',
  '<link rel="dns-prefetch" href="//t.example">',
  '<input type="image" src="https://t.example/i.png">',
  '<svg><image href="https://t.example/s.png"/><image xlink:href="https://t.example/s2.png"/></svg>',
  '<svg><use href="https://t.example/sprite.svg#a"/></svg>',
  '<svg><feImage href="https://t.example/f.png"/></svg>',
  '<math><mglyph src="https://t.example/m.png"></mglyph></math>',
  '<object data="https://t.example/o.swf"></object><embed src="https://t.example/e.swf">',
  '<iframe src="https://t.example/f"></iframe><frameset><frame src="https://t.example/f"></frameset>',
  '<meta http-equiv="refresh" content="0;url=https://t.example/">',
  '<base href="https://t.example/"><img src="p.gif">',
  '<a href="https://ok.example/" ping="https://t.example/ping">x</a>',
  '<form action="https://t.example/f"><button formaction="https://t.example/b">x</button></form>',
  '<img data-remote-src="javascript:alert(1)" data-cid="x&quot; onerror=&quot;alert(1)">',
  '<img data-remote-src="https://t.example/a.png" src="https://t.example/b.png">',
  '<!--[if gte mso 9]><v:image src="https://t.example/v.png"/><![endif]-->',
  '<v:rect fill="true"><v:fill src="https://t.example/v.png"/></v:rect>',
  '<div style="background:url(https://t.example/a.png">x</div>',
];

describe('hardening: remote content never loads from stored HTML (tracking pixels)', () => {
  for (const vector of VECTORS) {
    it(`hardening: no live remote reference survives ${JSON.stringify(vector).slice(0, 90)}`, () => {
      const output = sanitizeEmailHtml(vector);
      assertInert(output);
      assert.equal(sanitizeEmailHtml(output), output, 'sanitizing twice changes nothing');
    });
  }

  it('hardening: a remote image keeps its URL inert, for the viewer to load on request', () => {
    assert.equal(
      sanitizeEmailHtml(`<p><img alt="Logo" src="  HTTPS://cdn.example/logo.png " width="120"></p>`),
      '<p><img alt="Logo" data-remote-src="HTTPS://cdn.example/logo.png" width="120" referrerpolicy="no-referrer" loading="lazy" /></p>',
    );
    assert.match(
      sanitizeEmailHtml('<img src="&#104;ttps://t.example/p.gif">'),
      /data-remote-src="https:\/\/t.example\/p.gif"/,
    );
    assert.doesNotMatch(sanitizeEmailHtml('<img src="//t.example/p.gif">'), /t\.example/);
  });

  it('hardening: a cid: image keeps its Content-ID for the renderer; raster data: images stay', () => {
    assert.equal(
      sanitizeEmailHtml('<img src="cid:&lt;logo@01D9&gt;" alt="Acme">'),
      '<img data-cid="logo@01D9" alt="Acme" referrerpolicy="no-referrer" loading="lazy" />',
    );
    assert.match(
      sanitizeEmailHtml('<img src="data:image/gif;base64,R0lGOD==">'),
      /src="data:image\/gif;base64,R0lGOD=="/,
    );
    assert.doesNotMatch(sanitizeEmailHtml('<img src="data:image/svg+xml;base64,PHN2Zz4=">'), /src=|data-/);
  });
});
