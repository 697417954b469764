import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_BODY_BYTES, MAX_REFERENCES, parseMessage } from '../../src/domain/mime.ts';

/** A raw message from lines, each character one byte (so `\xe9` is the byte 0xE9). */
function raw(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/** Bytes of `text` in UTF-8, as a binary string to splice into `raw`. */
function utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const HEADERS = [
  'From: Ann Lee <ann@candidate.com>',
  'To: jane@acme.com',
  'Subject: Hello',
  'MIME-Version: 1.0',
];

describe('R17: reading a raw message', () => {
  it('R17: reads ids, subject, date and every address header', async () => {
    const message = await parseMessage(
      raw(
        'From: "=?UTF-8?Q?Ren=C3=A9e_M=C3=BCller?=" <Renee@Candidate.com>',
        'To: Jane Doe <jane@acme.com>, bob@acme.com',
        'Cc: Team: carl@acme.com, dora@acme.com;, undisclosed-recipients:;',
        'Bcc: eve@other.org',
        'Reply-To: <renee+reply@candidate.com>',
        'Subject: Re: Interview',
        'Date: Tue, 03 Mar 2026 10:15:00 +0100',
        'Message-ID: <abc.123@mail.candidate.com>',
        'In-Reply-To: <first@acme.com> (the first one)',
        'References: <root@acme.com>\r\n <first@acme.com>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See you then.',
      ),
    );
    assert.equal(message.messageId, '<abc.123@mail.candidate.com>');
    assert.equal(message.inReplyTo, '<first@acme.com>');
    assert.deepEqual(message.references, ['<root@acme.com>', '<first@acme.com>']);
    assert.equal(message.subject, 'Re: Interview');
    assert.equal(message.date?.toISOString(), '2026-03-03T09:15:00.000Z');
    assert.deepEqual(message.from, { address: 'Renee@Candidate.com', name: 'Renée Müller' });
    assert.deepEqual(message.to, [
      { address: 'jane@acme.com', name: 'Jane Doe' },
      { address: 'bob@acme.com' },
    ]);
    assert.deepEqual(message.cc, [{ address: 'carl@acme.com' }, { address: 'dora@acme.com' }]);
    assert.deepEqual(message.bcc, [{ address: 'eve@other.org' }]);
    assert.deepEqual(message.replyTo, [{ address: 'renee+reply@candidate.com' }]);
    assert.equal(message.text, 'See you then.\n');
    assert.equal(message.html, null);
    assert.equal(message.textFromHtml, false);
    assert.deepEqual(message.attachments, []);
    assert.deepEqual(message.repairs, []);
    assert.deepEqual(message.truncated, { text: false, html: false, depth: false, attachments: false });
  });

  it('R17: an unreadable Date is null, a missing Message-ID is null', async () => {
    const message = await parseMessage(raw('From: a@b.org', 'Date: yesterday-ish', '', 'x'));
    assert.equal(message.date, null);
    assert.equal(message.messageId, null);
    assert.equal(message.inReplyTo, null);
    assert.deepEqual(message.references, []);
  });

  it(`R17: keeps at most ${MAX_REFERENCES} References, always the thread's root`, async () => {
    const ids = Array.from({ length: 150 }, (_, index) => `<id${index}@x.org>`);
    const message = await parseMessage(raw('From: a@b.org', `References: ${ids.join(' ')}`, '', 'x'));
    assert.equal(message.references.length, MAX_REFERENCES);
    assert.equal(message.references[0], '<id0@x.org>');
    assert.equal(message.references.at(-1), '<id149@x.org>');
  });
});

describe('R17: charsets', () => {
  const body = async (charset: string, bytes: string, encoding = '8bit') =>
    (
      await parseMessage(
        raw(
          ...HEADERS,
          `Content-Type: text/plain; charset=${charset}`,
          `Content-Transfer-Encoding: ${encoding}`,
          '',
          bytes,
        ),
      )
    ).text.trim();

  it('R17: decodes a body by its declared charset', async () => {
    assert.equal(await body('ISO-8859-1', 'caf\xe9 cr\xe8me br\xfbl\xe9e'), 'café crème brûlée');
    assert.equal(await body('windows-1252', '\x80 \x93quoted\x94'), '€ “quoted”');
    assert.equal(await body('"Shift_JIS"', '\x93\xfa\x96\x7b\x8c\xea'), '日本語');
    assert.equal(await body('ISO-2022-JP', '\x1b$B$K$[$s$4\x1b(B', '7bit'), 'にほんご');
    assert.equal(await body('KOI8-R', '\xf0\xd2\xc9\xd7\xc5\xd4'), 'Привет');
    assert.equal(await body('GB2312', '\xc4\xe3\xba\xc3'), '你好');
    assert.equal(await body('gbk', '\xc4\xe3\xba\xc3'), '你好');
    assert.equal(await body('utf-8', utf8('Zoë 👋')), 'Zoë 👋');
  });

  it('R17: decodes quoted-printable soft line breaks and escapes', async () => {
    const text = await body(
      'utf-8',
      'This line is long and =\r\nwraps softly, caf=C3=A9=\r\n!',
      'quoted-printable',
    );
    assert.equal(text, 'This line is long and wraps softly, café!');
  });

  it('R17: base64 with garbage in it still yields the readable text', async () => {
    const text = await body('utf-8', 'SGVsbG8g!!d29y\r\n$$bGQ=\r\n\r\n*** not base64 ***', 'base64');
    assert.match(text, /^Hello world/);
  });

  it('R17: a body without a charset that is not UTF-8 is read as windows-1252', async () => {
    const message = await parseMessage(
      raw(...HEADERS, 'Content-Type: text/plain', '', 'caf\xe9 \x80 cr\xe8me'),
    );
    assert.equal(message.text.trim(), 'café € crème');
    assert.deepEqual(message.repairs, ['charset_fallback']);
  });

  it('R17: a body without a charset that is valid UTF-8 is read as UTF-8', async () => {
    const message = await parseMessage(raw(...HEADERS, 'Content-Type: text/plain', '', utf8('café 日本')));
    assert.equal(message.text.trim(), 'café 日本');
    assert.deepEqual(message.repairs, []);
  });

  it('R17: a message without any Content-Type, in Latin-1, is read as windows-1252', async () => {
    const message = await parseMessage(raw('From: a@b.org', 'Subject: old client', '', 'Gr\xfc\xdfe'));
    assert.equal(message.text.trim(), 'Grüße');
  });

  it('R17: each undeclared part of a multipart gets its own fallback', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Caf=E9 au lait',
        '--b1',
        'Content-Type: text/html',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('<p>Café au lait</p>', 'utf8').toString('base64'),
        '--b1--',
        '',
      ),
    );
    assert.equal(message.text.trim(), 'Café au lait');
    assert.equal(message.html?.trim(), '<p>Café au lait</p>');
    assert.deepEqual(message.repairs, ['charset_fallback']);
  });

  it('R17: encoded words in headers, including Shift_JIS, mixed charsets and broken ones', async () => {
    const message = await parseMessage(
      raw(
        'From: =?ISO-8859-1?Q?Andr=E9?= <andre@x.fr>',
        'To: =?KOI8-R?B?8NLJ18XU?= <ivan@x.ru>',
        'Subject: =?Shift_JIS?B?k/qWe4zq?= =?ISO-8859-1?Q?caf=E9?= and =?utf-8?q?broken',
        '',
        'x',
      ),
    );
    assert.equal(message.subject, '日本語café and =?utf-8?q?broken');
    assert.equal(message.from?.name, 'André');
    assert.equal(message.to[0]?.name, 'Привет');
  });

  it('R17: raw UTF-8 in headers (RFC 6532) is read as UTF-8', async () => {
    const message = await parseMessage(
      raw('From: a@b.org', `Subject: ${utf8('Entretien à 10h – café')}`, '', 'x'),
    );
    assert.equal(message.subject, 'Entretien à 10h – café');
  });
});

describe('R17: message structure', () => {
  it('Security: HTML is stored sanitized', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p onclick="x()">Hi<script>alert(1)</script></p>',
      ),
    );
    assert.equal(message.html, '<p>Hi</p>');
    assert.equal(message.text, 'Hi');
  });

  it('R17: an HTML-only message gets a text reading of its HTML', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: text/html; charset=utf-8',
        '',
        '<h1>Offer</h1><p>Dear Ann, <b>welcome</b>!</p>',
      ),
    );
    assert.equal(message.html?.trim(), '<h1>Offer</h1><p>Dear Ann, <b>welcome</b>!</p>');
    assert.equal(message.text, 'Offer\n\nDear Ann, welcome!');
    assert.equal(message.textFromHtml, true);
  });

  it('R17: five levels of nested multiparts, with attachments at several levels', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/mixed; boundary="L1"',
        '',
        'This is a preamble nobody reads.',
        '--L1',
        'Content-Type: multipart/alternative; boundary="L2"',
        '',
        '--L2',
        'Content-Type: multipart/related; boundary="L3"',
        '',
        '--L3',
        'Content-Type: multipart/mixed; boundary="L4"',
        '',
        '--L4',
        'Content-Type: multipart/alternative; boundary="L5"',
        '',
        '--L5',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Deep text',
        '--L5',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Deep <img src="cid:logo@acme"></p>',
        '--L5--',
        '--L4--',
        '--L3',
        'Content-Type: image/png',
        'Content-ID: <logo@acme>',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgoAAAANSUhEUg==',
        '--L3--',
        '--L2--',
        '--L1',
        'Content-Type: application/pdf; name="cv.pdf"',
        'Content-Disposition: attachment; filename="cv.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 SECRET-CV-CONTENT').toString('base64'),
        '--L1--',
        'An epilogue nobody reads.',
      ),
    );
    assert.match(message.text, /Deep text/);
    assert.match(
      message.html ?? '',
      /<p>Deep <img data-cid="logo@acme" referrerpolicy="no-referrer" loading="lazy" \/><\/p>/,
    );
    assert.doesNotMatch(message.text, /preamble|epilogue/);
    assert.deepEqual(message.attachments, [
      { filename: null, contentType: 'image/png', size: 16, contentId: 'logo@acme', disposition: 'inline' },
      { filename: 'cv.pdf', contentType: 'application/pdf', size: 26, disposition: 'attachment' },
    ]);
  });

  it('R17: attachment contents are never kept, only their description', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--b',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'SECRET-ATTACHMENT-CONTENT',
        '--b--',
      ),
    );
    assert.doesNotMatch(JSON.stringify(message), /SECRET-ATTACHMENT-CONTENT/);
    assert.deepEqual(Object.keys(message.attachments[0] ?? {}).sort(), [
      'contentType',
      'disposition',
      'filename',
      'size',
    ]);
  });

  it('R17: attachment names are decoded and cannot name a folder', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: application/octet-stream',
        "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        '',
        'x',
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment; filename="../../etc/passwd"',
        '',
        'x',
        '--b',
        'Content-Type: application/octet-stream',
        'Content-Disposition: attachment; filename="=?UTF-8?B?5bGl5q205pu4LmRvY3g=?="',
        '',
        'x',
        '--b--',
      ),
    );
    assert.deepEqual(
      message.attachments.map((attachment) => attachment.filename),
      ['résumé.pdf', 'passwd', '履歴書.docx'],
    );
  });

  it('R17: a forwarded message attached inline joins the body; one attached as a file is described', async () => {
    const forwarded = ['From: Carl <carl@old.org>', 'Subject: Original', '', 'The original words.'];
    const build = (disposition: string[]) =>
      raw(
        ...HEADERS,
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'FYI, see below.',
        '--b',
        'Content-Type: message/rfc822',
        ...disposition,
        '',
        ...forwarded,
        '--b--',
      );
    const inline = await parseMessage(build([]));
    assert.match(inline.text, /FYI, see below\./);
    assert.match(inline.text, /The original words\./);
    const attached = await parseMessage(build(['Content-Disposition: attachment; filename="original.eml"']));
    assert.doesNotMatch(attached.text, /The original words/);
    assert.deepEqual(attached.attachments, [
      { filename: 'original.eml', contentType: 'message/rfc822', size: 65, disposition: 'attachment' },
    ]);
  });
});

describe('R17: malformed messages yield what can be read', () => {
  it('R17: a multipart without a boundary parameter is read by the boundary its body uses', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/mixed',
        '',
        '--XYZ',
        'Content-Type: text/plain',
        '',
        'Found me',
        '--XYZ--',
      ),
    );
    assert.equal(message.text.trim(), 'Found me');
    assert.deepEqual(message.repairs, ['boundary_guessed']);
  });

  it('R17: a multipart whose boundary matches no line is read by the one its body uses', async () => {
    const message = await parseMessage(
      raw(
        ...HEADERS,
        'Content-Type: multipart/alternative; boundary="declared"',
        '',
        '--actual',
        'Content-Type: text/plain; charset=iso-8859-1',
        '',
        'Caf\xe9',
        '--actual',
        'Content-Type: text/html; charset=utf-8',
        '',
        utf8('<p>Café</p>'),
        '--actual--',
      ),
    );
    assert.equal(message.text.trim(), 'Café');
    assert.equal(message.html?.trim(), '<p>Café</p>');
    assert.deepEqual(message.repairs, ['boundary_guessed']);
  });

  it('R17: a multipart with no part at all keeps its body as text', async () => {
    const message = await parseMessage(
      raw(...HEADERS, 'Content-Type: multipart/mixed; boundary="b"', '', 'Just words, no parts.'),
    );
    assert.equal(message.text.trim(), 'Just words, no parts.');
    assert.deepEqual(message.repairs, ['raw_body']);
  });

  it('R17: a message without headers is all body', async () => {
    assert.equal((await parseMessage(raw('', 'Only a body.'))).text.trim(), 'Only a body.');
    const bare = await parseMessage(Buffer.from('Nothing but words here\r\nand here'));
    assert.equal(bare.text.trim(), 'Nothing but words here\r\nand here');
    assert.deepEqual(bare.repairs, ['raw_body']);
  });

  it('R17: a message without a body has headers and empty text', async () => {
    const message = await parseMessage(raw('From: a@b.org', 'Subject: Empty'));
    assert.equal(message.subject, 'Empty');
    assert.equal(message.text, '');
    assert.equal(message.html, null);
  });

  it('R17: empty input and random bytes do not throw', async () => {
    const empty = await parseMessage(Buffer.alloc(0));
    assert.equal(empty.subject, '');
    assert.equal(empty.from, null);
    // Deterministic noise (a linear congruential sequence), so a failure can be replayed.
    const noise = Buffer.alloc(20_000);
    let seed = 7;
    for (let index = 0; index < noise.length; index++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      noise[index] = seed % 256;
    }
    await assert.doesNotReject(parseMessage(noise));
    await assert.doesNotReject(
      parseMessage('From: \r\nContent-Type: ;;;\r\nContent-Transfer-Encoding: base64\r\n\r\n==='),
    );
  });

  it('R17: a message past the parser’s limits still yields its headers', async () => {
    const levels = 300;
    const lines = [...HEADERS, 'Content-Type: multipart/mixed; boundary="b0"', ''];
    for (let level = 1; level < levels; level++) {
      lines.push(`--b${level - 1}`, `Content-Type: multipart/mixed; boundary="b${level}"`, '');
    }
    lines.push(`--b${levels - 1}`, 'Content-Type: text/plain', '', 'bottom');
    const message = await parseMessage(raw(...lines));
    assert.equal(message.subject, 'Hello');
    assert.deepEqual(message.from, { address: 'ann@candidate.com', name: 'Ann Lee' });
    assert.deepEqual(message.repairs, ['headers_only']);
  });

  it('R17: headers larger than the parser allows still yield the ones before the junk', async () => {
    const message = await parseMessage(raw(...HEADERS, `X-Junk: ${'a'.repeat(3 * 1024 * 1024)}`, '', 'body'));
    assert.equal(message.subject, 'Hello');
    assert.deepEqual(message.repairs, ['headers_only']);
  });
});

describe('R17: size caps', () => {
  it(`R17: a 3 MB HTML body is kept to ${MAX_BODY_BYTES} bytes, and so is its text reading`, async () => {
    const paragraph = '<p>Lorem ipsum dolor sit amet, 日本語 – ü.</p>\n';
    const html = paragraph.repeat(Math.ceil((3 * 1024 * 1024) / Buffer.byteLength(paragraph)));
    const message = await parseMessage(
      raw(...HEADERS, 'Content-Type: text/html; charset=utf-8', '', utf8(html)),
    );
    assert.ok(Buffer.byteLength(message.html ?? '') <= MAX_BODY_BYTES);
    assert.ok(Buffer.byteLength(message.html ?? '') > MAX_BODY_BYTES - 1000);
    const stored = message.html ?? '';
    assert.ok(stored.startsWith('<p>Lorem') && !/<[^>]*$/.test(stored), 'no tag is cut in half');
    assert.ok(!stored.includes('\uFFFD'), 'no character is cut in half');
    assert.ok(Buffer.byteLength(message.text) <= MAX_BODY_BYTES);
    assert.equal(message.truncated.html, true);
    assert.equal(message.textFromHtml, true);
  });

  it('R17: HTML that grows when sanitized is cut again, between whole tags', async () => {
    const link = '<a href="https://x.io/?a=1&b=2">x</a>';
    const html = link.repeat(Math.floor((MAX_BODY_BYTES - 10_000) / link.length));
    const message = await parseMessage(raw(...HEADERS, 'Content-Type: text/html; charset=utf-8', '', html));
    const stored = message.html ?? '';
    assert.ok(Buffer.byteLength(stored) <= MAX_BODY_BYTES);
    assert.ok(stored.endsWith('>'), 'ends after a whole tag');
    assert.ok(stored.includes('rel="noopener noreferrer nofollow"'));
    assert.equal(message.truncated.html, true);
  });

  it(`R17: a 3 MB text body is kept to ${MAX_BODY_BYTES} bytes`, async () => {
    const text = 'é'.repeat(1_500_000);
    const message = await parseMessage(
      raw(...HEADERS, 'Content-Type: text/plain; charset=utf-8', '', utf8(text)),
    );
    assert.equal(Buffer.byteLength(message.text), MAX_BODY_BYTES);
    assert.equal(message.truncated.text, true);
    assert.equal(message.truncated.html, false);
  });
});
