/**
 * Hostile MIME for fuzzing (fast-check): NUL and control bytes, invalid UTF-8, broken encoded words, deep
 * multipart nesting, broken boundaries, huge headers and parts, adversarial quote attribution lines, deep
 * and remote-laden HTML. Used by test/domain/hostile-mail.test.ts (the reader alone) and the chaos run's
 * fuzz (test/chaos/fuzz.chaos.ts: delivered into a mailbox and synced by the running app).
 */
import fc from 'fast-check';

// Raw messages are built as binary strings (one character per byte) and sent as latin1 bytes.
const POISON = [
  '=00',
  '\x00',
  '\x01\x02\x1b\x7f',
  '\xff\xfe',
  '\xc3',
  '\xed\xa0\x80',
  '\xc0\xaf',
  '\xf8\x88\x80\x80\x80',
  '\r',
  '\n',
  '\r\n',
  ' ',
  '\t',
  '\x0b\x0c',
  'Am ',
  'schrieb ',
  'On ',
  ' wrote:',
  'Le ',
  ' a écrit :',
  '> ',
  '-- ',
  '--',
  '=?utf-8?q?a=00b?=',
  '=?utf-8?b?YQBi?=',
  '=?utf-16be?b?2AA=?=',
  '=?utf-8?q?',
  '?=',
  '=\r\n',
  '=XY',
  '&#0;',
  '&#xD800;',
  'Re: ',
  '[x] ',
  'boundary=',
  '"',
  ';',
  '<',
  '>',
  'é',
  '👋',
  'x',
];
const HTML = [
  '<b>',
  '</b>',
  '<div>',
  '</div>',
  '<p>',
  '<table><tr><td>',
  '<svg><image href="https://t.example/s.png"/>',
  '</svg>',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<img src="https://t.example/p.gif">',
  '<img src="//t.example/p.gif">',
  '<img src="&#104;ttps://t.example/p.gif">',
  '<img srcset="https://t.example/a 1x">',
  '<div style="background:url(https://t.example/a.png)">',
  '<div style="background:\\75rl(https://t.example/a)">',
  '<style>@import url(https://t.example/s.css)</style>',
  '<link rel=stylesheet href="https://t.example/s.css">',
  '<table background="https://t.example/b.png">',
  '<video poster="https://t.example/p.png">',
  '<input type=image src="https://t.example/i">',
  '<picture><source srcset="https://t.example/a.webp">',
  '<a href="javascript:alert(1)">x</a>',
  '<img src="cid:logo@x">',
  '<!--',
  '-->',
  '<textarea>',
  '<title>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<b style="margin:111111111111111111111x">',
];

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...POISON) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => Buffer.from(s).toString('latin1')),
  },
);
const line = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));
// One fragment repeated into a long line: the shape that makes backtracking patterns blow up.
const longLine = fc
  .tuple(piece, fc.integer({ min: 1, max: 20_000 }))
  .map(([unit, times]) => unit.repeat(times));
const text = fc.oneof({ weight: 3, arbitrary: line }, { weight: 1, arbitrary: longLine });
export const hostileHtml = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...HTML), line), { maxLength: 30 }).map((pieces) => pieces.join('')),
  fc
    .tuple(
      fc.constantFrom('<b>', '<div>', '<table><tr><td>', '<svg>', '<i><u>'),
      fc.integer({ min: 1, max: 20_000 }),
    )
    .map(([tag, times]) => `${tag.repeat(times)}deep`),
);

const leaf = fc
  .record({
    type: fc.constantFrom(
      'text/plain',
      'text/html',
      'text/plain; charset=utf-8',
      'text/html; charset=iso-8859-1',
      'text/plain; charset=utf-16be',
      'application/pdf',
      'message/rfc822',
      'x/\x00y',
      '',
    ),
    encoding: fc.constantFrom('', '7bit', '8bit', 'quoted-printable', 'base64', 'x-unknown'),
    name: fc.option(line, { nil: undefined }),
    body: fc.oneof(text, hostileHtml),
  })
  .map(({ type, encoding, name, body }) => {
    const headers = [
      ...(type ? [`Content-Type: ${type}${name === undefined ? '' : `; name="${name}"`}`] : []),
      ...(encoding ? [`Content-Transfer-Encoding: ${encoding}`] : []),
      ...(name === undefined
        ? []
        : [`Content-Disposition: attachment; filename="${name}"`, `Content-ID: <${name}>`]),
    ];
    const encoded = encoding === 'base64' ? Buffer.from(body, 'latin1').toString('base64') : body;
    return `${headers.join('\r\n')}\r\n\r\n${encoded}`;
  });

const { part } = fc.letrec<{ part: string; multipart: string }>((tie) => ({
  part: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('multipart')),
  multipart: fc
    .record({
      boundary: fc.constantFrom('b', 'x y', '', 'b'.repeat(300), '=_\x00'),
      children: fc.array(tie('part'), { maxLength: 4 }),
      broken: fc.constantFrom('none', 'wrong', 'missing-close', 'no-param'),
    })
    .map(({ boundary, children, broken }) => {
      const used = broken === 'wrong' ? `${boundary}z` : boundary;
      const param = broken === 'no-param' ? '' : `; boundary="${boundary}"`;
      const close = broken === 'missing-close' ? '' : `--${used}--\r\n`;
      return `Content-Type: multipart/mixed${param}\r\n\r\n${children.map((child) => `--${used}\r\n${child}\r\n`).join('')}${close}`;
    }),
}));

// A chain of multiparts nested `depth` deep around one part.
const nested = fc.tuple(fc.integer({ min: 1, max: 400 }), leaf).map(([depth, inner]) => {
  let body = inner;
  for (let level = depth; level > 0; level--) {
    body = `Content-Type: multipart/mixed; boundary="n${level}"\r\n\r\n--n${level}\r\n${body}\r\n--n${level}--\r\n`;
  }
  return body;
});

const headerValue = fc.oneof({ weight: 4, arbitrary: line }, { weight: 1, arbitrary: longLine });
/** A hostile raw message from `from` (its display name hostile too). */
export function hostileMessage(from = 'ann@candidate.example') {
  return fc
    .record({
      from: headerValue,
      to: headerValue,
      subject: headerValue,
      messageId: headerValue,
      references: fc.oneof(
        headerValue,
        fc.integer({ min: 0, max: 3000 }).map((n) => '<r@x> '.repeat(n)),
      ),
      extra: fc.array(
        fc.tuple(fc.constantFrom('X-A', 'Content-Type', 'MIME-Version', '\x00', ''), headerValue),
        { maxLength: 4 },
      ),
      body: fc.oneof(part, nested, text),
    })
    .map(({ from: name, to, subject, messageId, references, extra, body }) => {
      const headers = [
        `From: ${name} <${from}>`,
        `To: ${to}`,
        `Subject: ${subject}`,
        `Message-ID: <${messageId}>`,
        `References: ${references}`,
        ...extra.map(([header, value]) => `${header}: ${value}`),
        'MIME-Version: 1.0',
      ];
      return Buffer.from(`${headers.join('\r\n')}\r\n${body}`, 'latin1');
    });
}
