import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlToText, sanitizeEmailHtml } from '../../src/domain/html.ts';

// Sanitized output escapes every `<` of text, so each `<` left in it opens a real tag: reading the tags
// with a pattern is exact here, and lets the test check the output without trusting the sanitizer's parser.
const TAG = /<\/?([a-zA-Z0-9]+)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*\/?>/g;
const ATTRIBUTE = /\s+([^\s=/>]+)(?:="([^"]*)")?/g;
const SAFE_TAGS = new Set(
  'a abbr address b bdi bdo big blockquote br center cite code dd del dfn div dl dt em figcaption figure font hr i img h1 h2 h3 h4 h5 h6 ins kbd li mark ol p pre q s samp small span strike strong sub sup tt u ul var wbr table caption colgroup col thead tbody tfoot tr th td'.split(
    ' ',
  ),
);
const SAFE_ATTRIBUTES = new Set(
  'style dir lang title align href name target rel src data-remote-src data-cid alt width height border hspace vspace referrerpolicy loading cellpadding cellspacing bgcolor role summary valign colspan rowspan nowrap scope span color face size start type reversed value cite datetime'.split(
    ' ',
  ),
);

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function assertHarmless(input: string): string {
  const output = sanitizeEmailHtml(input);
  const withoutTags = output.replace(TAG, '');
  assert.doesNotMatch(withoutTags, /</, `a tag the check could not read survived: ${output}`);
  for (const [, tag, attributes] of output.matchAll(TAG)) {
    assert.ok(SAFE_TAGS.has((tag as string).toLowerCase()), `tag <${tag}> in ${output}`);
    for (const [, name, raw = ''] of (attributes as string).matchAll(ATTRIBUTE)) {
      const attribute = (name as string).toLowerCase();
      assert.ok(SAFE_ATTRIBUTES.has(attribute), `attribute ${attribute} in ${output}`);
      const value = decodeEntities(raw)
        .replace(/[\s\p{Cc}]/gu, '')
        .toLowerCase();
      assert.doesNotMatch(
        value,
        /javascript|vbscript|livescript|expression|url\(|behavior|binding|@import|\\/,
        output,
      );
      if (attribute === 'href') assert.match(value, /^(?:https?:|mailto:|tel:|#)/, output);
      // Nothing in stored HTML fetches anything: only a raster data: URL may stay in an image's src.
      if (attribute === 'src') assert.match(value, /^data:image\/(?:png|gif|jpe?g|webp);base64,/, output);
      if (attribute === 'data-remote-src') assert.match(value, /^https?:/, output);
      if (attribute === 'cite') assert.match(value, /^(?:https?:|[^:]*$)/, output);
    }
  }
  assert.equal(sanitizeEmailHtml(output), output, 'sanitizing twice changes nothing');
  return output;
}

// OWASP XSS filter evasion classics, and mutation tricks that defeated other sanitizers.
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>',
  '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
  '<<SCRIPT>alert("XSS");//<</SCRIPT>',
  '<scr<script>ipt>alert(1)</script>',
  '"><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  "<IMG SRC=JaVaScRiPt:alert('XSS')>",
  '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>',
  '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
  '<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>',
  '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
  '<IMG SRC="jav\tascript:alert(\'XSS\');">',
  '<IMG SRC="jav&#x09;ascript:alert(\'XSS\');">',
  '<IMG SRC="jav&#x0A;ascript:alert(\'XSS\');">',
  '<IMG SRC=" &#14;  javascript:alert(\'XSS\');">',
  '<IMG DYNSRC="javascript:alert(\'XSS\')"><IMG LOWSRC="javascript:alert(\'XSS\')">',
  '<img src=x srcset="javascript:alert(1) 1x">',
  '<img """><script>alert(1)</script>">',
  '<a href="jAvAsCrIpT:alert(1)">x</a>',
  '<a href="&#x6A;avascript:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="javascript&colon;alert(1)">x</a>',
  '<a href="java&Tab;script:alert(1)">x</a>',
  '<a href="jav&#x0D;ascript:alert(1)">x</a>',
  '<a href="java\u0000script:alert(1)">x</a>',
  '<a href="  &#14;javascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
  '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
  '<BODY BACKGROUND="javascript:alert(\'XSS\')">',
  '<svg><script>alert(1)</script></svg>',
  '<svg/onload=alert(1)>',
  '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
  '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
  '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<math><mi><table><mglyph><svg><mtext><textarea><path id="</textarea><img src=x onerror=alert(1)>"></textarea></mtext></svg></mglyph></table></mi></math>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<FRAMESET><FRAME SRC="javascript:alert(\'XSS\');"></FRAMESET>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
  '<base href="javascript:alert(1);//">',
  '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
  '<STYLE>li {list-style-image: url("javascript:alert(\'XSS\')");}</STYLE><UL><LI>XSS</br>',
  '<style>@import "http://evil.example/x.css";</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<DIV STYLE="background-image: url(javascript:alert(\'XSS\'))">x</DIV>',
  '<DIV STYLE="background-image:\\0075\\0072\\006C\\0028\'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028\\0027\\0058\\0053\\0053\\0027\\0029\'\\0029">x</DIV>',
  '<DIV STYLE="width: expression(alert(\'XSS\'));">x</DIV>',
  '<IMG STYLE="xss:expr/*XSS*/ession(alert(\'XSS\'))">',
  '<div style="behavior: url(x.htc); -moz-binding: url(x.xml#xss)">x</div>',
  '<div style="color: red; }</style><script>alert(1)</script>">x</div>',
  '<div style="color:rgb(1,2,expression(alert(1)))">x</div>',
  '<div style="background-color: \\72 ed">x</div>',
  '<TABLE BACKGROUND="javascript:alert(\'XSS\')"><TD BACKGROUND="javascript:alert(\'XSS\')">x</TD></TABLE>',
  '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
  '<EMBED SRC="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+" type="image/svg+xml">',
  '<img src="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
  '<img src="data:text/html,<script>alert(1)</script>">',
  '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
  '<form action="https://evil.example"><input name="password"><button formaction="javascript:alert(1)">Go</button></form>',
  '<isindex type=image src=1 onerror=alert(1)>',
  '<details open ontoggle=alert(1)>x</details>',
  '<video><source onerror=alert(1)></video><audio src=x onerror=alert(1)>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<title><img src=x onerror=alert(1)></title>',
  '<template><img src=x onerror=alert(1)></template>',
  "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<a href="//evil.example/x">protocol-relative</a>',
  '<p id="login" class="x" onclick="alert(1)">k</p>',
];

describe('Security: email HTML is sanitized', () => {
  for (const payload of PAYLOADS) {
    it(`Security: ${payload.slice(0, 90)} comes out harmless`, () => {
      assertHarmless(payload);
    });
  }

  it('Security: code inside dropped tags leaves no text behind', () => {
    assert.equal(sanitizeEmailHtml('<script>alert(1)</script><style>p{}</style><p>ok</p>'), '<p>ok</p>');
    assert.equal(
      sanitizeEmailHtml('<html><head><title>T</title></head><body><p>Body</p></body></html>'),
      '<p>Body</p>',
    );
  });

  it('Security: links open apart, without opener, referrer or endorsement', () => {
    assert.equal(
      sanitizeEmailHtml('<a href="https://example.com/jobs" target="_self" rel="opener">Jobs</a>'),
      '<a href="https://example.com/jobs" target="_blank" rel="noopener noreferrer nofollow">Jobs</a>',
    );
    assert.match(
      sanitizeEmailHtml('<a href="mailto:ann@candidate.com">mail</a>'),
      /href="mailto:ann@candidate.com"/,
    );
    assert.match(sanitizeEmailHtml('<a href="tel:+441234">call</a>'), /href="tel:\+441234"/);
  });

  it('Security: remote images are kept inert, raster data: images stay, cid: images keep their Content-ID', () => {
    assert.equal(
      sanitizeEmailHtml('<img src="https://cdn.example/logo.png" alt="Logo" width="120">'),
      '<img data-remote-src="https://cdn.example/logo.png" alt="Logo" width="120" referrerpolicy="no-referrer" loading="lazy" />',
    );
    assert.doesNotMatch(sanitizeEmailHtml('<img src="logo.png"><a href="page.html">x</a>'), /src=|href=/);
    assert.match(sanitizeEmailHtml('<a href="#top">top</a>'), /href="#top"/);
    assert.match(
      sanitizeEmailHtml('<img src="data:image/png;base64,iVBORw0KGgo=">'),
      /src="data:image\/png;base64,iVBORw0KGgo="/,
    );
    assert.equal(
      sanitizeEmailHtml('<img src="cid:logo@01D9" alt="Acme">'),
      '<img data-cid="logo@01D9" alt="Acme" referrerpolicy="no-referrer" loading="lazy" />',
    );
    assert.match(sanitizeEmailHtml('<img src=" CID:logo">'), /^<img data-cid="logo" /);
  });

  it('Security: inline styles keep safe properties and lose the rest', () => {
    assert.equal(
      sanitizeEmailHtml(
        '<p style="color: #f00; font-family: Arial, \'Helvetica Neue\'; margin: 0 auto; position: fixed; top: 0">hi</p>',
      ),
      '<p style="color:#f00;font-family:Arial, \'Helvetica Neue\';margin:0 auto">hi</p>',
    );
  });

  it('Security: an absurdly deep nesting is handled', () => {
    const deep = `${'<div>'.repeat(20_000)}deep${'</div>'.repeat(20_000)}`;
    assert.match(sanitizeEmailHtml(deep), /deep/);
  });
});

const NEWSLETTER = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Acme Weekly</title>
<style>@media (max-width: 600px) { .col { width: 100% !important; } }</style></head>
<body style="margin:0;padding:0;background-color:#f4f4f4">
<span style="display:none;max-height:0;overflow:hidden">This week: three new roles</span>
<center>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f4">
  <tr><td align="center" valign="top" style="padding: 20px 10px">
    <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border-radius:4px">
      <tr><td class="col" style="padding:24px;font-family:Helvetica, Arial, sans-serif;font-size:16px;line-height:1.5;color:#333333">
        <h1 style="font-size:24px;margin:0 0 12px 0">Hello Ann,</h1>
        <p>We have <strong>three</strong> new roles for you.</p>
        <a href="https://jobs.acme.example/roles?utm_source=mail&amp;id=7" style="background-color:#0066cc;color:#ffffff;padding:12px 24px;text-decoration:none;display:inline-block;border-radius:4px">See the roles</a>
        <img src="https://cdn.acme.example/hero.png" width="552" height="200" alt="Our office" style="display:block;width:100%;height:auto;border:0">
      </td></tr>
      <tr><td style="padding:12px 24px;font-size:12px;color:#999999;border-top:1px solid #eeeeee">
        <font face="Arial" size="2" color="#999999">Acme Ltd, 1 Main St.</font>
        <a href="https://acme.example/unsubscribe">Unsubscribe</a> · <a href="mailto:talent@acme.example">Contact</a>
      </td></tr>
    </table>
  </td></tr>
</table>
</center>
</body></html>`;

describe('Security: ordinary newsletters keep their layout', () => {
  const output = assertHarmless(NEWSLETTER);

  it('keeps the layout tables with their presentational attributes', () => {
    assert.equal(output.match(/<table/g)?.length, 2);
    assert.match(
      output,
      /<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border-radius:4px">/,
    );
    assert.match(output, /<td align="center" valign="top" style="padding:20px 10px">/);
    assert.match(output, /bgcolor="#f4f4f4"/);
    assert.match(output, /<center>/);
  });

  it('keeps links, images, fonts and the text', () => {
    assert.match(
      output,
      /<a href="https:\/\/jobs.acme.example\/roles\?utm_source=mail&amp;id=7" style="background-color:#0066cc;color:#ffffff;padding:12px 24px;text-decoration:none;display:inline-block;border-radius:4px" target="_blank" rel="noopener noreferrer nofollow">See the roles<\/a>/,
    );
    assert.match(
      output,
      /<img data-remote-src="https:\/\/cdn.acme.example\/hero.png" width="552" height="200" alt="Our office" style="display:block;width:100%;height:auto;border:0"/,
    );
    assert.match(output, /<font face="Arial" size="2" color="#999999">/);
    assert.match(output, /href="mailto:talent@acme.example"/);
    assert.match(output, /This week: three new roles/);
    assert.match(output, /border-top:1px solid #eeeeee/);
  });

  it('drops the style block, the title and the class names', () => {
    assert.doesNotMatch(output, /@media|Acme Weekly|class=/);
  });
});

describe('R17: plain text from HTML', () => {
  it('R17: reads a newsletter as text, without styles, titles or images', () => {
    const text = htmlToText(NEWSLETTER);
    assert.match(text, /^This week: three new roles/);
    assert.match(text, /Hello Ann,/);
    assert.match(text, /We have three new roles for you\./);
    assert.match(text, /See the roles \[https:\/\/jobs\.acme\.example\/roles\?utm_source=mail&id=7\]/);
    assert.match(text, /Unsubscribe \[https:\/\/acme\.example\/unsubscribe\]/);
    assert.doesNotMatch(text, /@media|Acme Weekly|hero\.png|<|&amp;/);
  });

  it('R17: keeps headings as written, lists as lists and cells apart', () => {
    assert.equal(
      htmlToText(
        '<h2>Next Steps</h2><ul><li>Call</li><li>Visit</li></ul><table><tr><td>A</td><td>B</td></tr></table>',
      ),
      'Next Steps\n\n * Call\n * Visit\n\nA\n\nB',
    );
  });

  it('R17: a link whose text is its address is written once', () => {
    assert.equal(
      htmlToText('<p><a href="https://acme.example">https://acme.example</a></p>'),
      'https://acme.example',
    );
  });

  it('R17: decodes entities and survives broken markup and deep nesting', () => {
    assert.equal(htmlToText('<p>Caf&eacute; &amp; cr&egrave;me<div><b>unclosed'), 'Café & crème\n\nunclosed');
    assert.doesNotThrow(() => htmlToText(`${'<div>'.repeat(20_000)}deep`));
    assert.equal(htmlToText(''), '');
    assert.ok(htmlToText('<p>word</p>'.repeat(1_000_000)).length < 5 * 1024 * 1024);
  });
});
