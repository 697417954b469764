import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/domain/mime.ts';
import { isStorable, storableLine, storableText } from '../../src/domain/storable.ts';
import { testDatabase } from '../support/database.ts';
import { assertRoundTrips, stringsOf } from '../support/storable.ts';

const database = await testDatabase();

/** A raw message from lines, each character one byte (so `\x00` is the byte 0x00). */
function raw(...lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

const FROM = 'From: Ann <ann@candidate.com>';
const TO = 'To: jane@acme.com';

// Each one made the page insert fail before the reader cleaned its strings (issue 8, item 3).
const POISON: Record<string, Buffer> = {
  'NUL in a quoted-printable body': raw(
    FROM,
    TO,
    'Subject: cv',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Hello=00 there=00=00',
  ),
  'NUL in a Q encoded-word subject': raw(FROM, TO, 'Subject: =?utf-8?q?a=00b?=', '', 'body'),
  'NUL in a B encoded-word subject and display name': raw(
    'From: =?utf-8?b?QW4Abg==?= <ann@candidate.com>',
    TO,
    'Subject: =?utf-8?b?YQBi?=',
    '',
    'body',
  ),
  'raw NUL bytes in headers': raw(
    'From: A\x00nn <ann\x00@candidate.com>',
    'To: jane@acme.com, \x00bob@acme.com',
    'Subject: a\x00b',
    'Message-ID: <id\x00@candidate.com>',
    'In-Reply-To: <parent\x00@acme.com>',
    'References: <root\x00@acme.com> <parent\x00@acme.com>',
    '',
    'raw\x00body',
  ),
  'NUL in HTML, raw and as a character reference': raw(
    FROM,
    TO,
    'Subject: html',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p title="a\x00b">x\x00y &#0; &#x0; <img alt="\x00" src="https://t.example/p\x00.gif"></p>',
  ),
  'invalid UTF-8 in an 8-bit body and headers': raw(
    'From: \xff\xfe Ann <ann@candidate.com>',
    TO,
    'Subject: caf\xc3 \xed\xa0\x80 \xf8\x88\x80\x80\x80',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'caf\xc3 \xed\xa0\x80 \xc0\xaf \xff',
  ),
  'lone surrogates from UTF-16 encoded words': raw(
    'From: =?utf-16be?b?2AA=?= <ann@candidate.com>',
    TO,
    'Subject: =?utf-16le?b?AN5hAA==?= =?utf-16be?b?3AA=?=',
    '',
    'body',
  ),
  'NUL in attachment names, types and Content-IDs': raw(
    FROM,
    TO,
    'Subject: files',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'see attached',
    '--b',
    'Content-Type: application/pdf; name="=?utf-8?q?cv=00.pdf?="',
    'Content-Disposition: attachment; filename="=?utf-8?q?cv=00.pdf?="',
    'Content-ID: <part\x00@x>',
    'Content-Transfer-Encoding: base64',
    '',
    'AAEC',
    '--b--',
  ),
};

describe('hardening: text PostgreSQL cannot store is cleaned at the MIME reader', () => {
  for (const [kind, message] of Object.entries(POISON)) {
    it(`hardening: a message with ${kind} round-trips through PostgreSQL unchanged`, async () => {
      const parsed = await parseMessage(message);
      for (const entry of stringsOf(parsed)) {
        assert.ok(isStorable(entry.value), `${entry.path} is not storable: ${JSON.stringify(entry.value)}`);
      }
      await assertRoundTrips(database.pool, parsed);
    });
  }

  it('hardening: the NUL-laden parts keep their readable text', async () => {
    const qp = await parseMessage(POISON['NUL in a quoted-printable body'] as Buffer);
    assert.equal(qp.text.trim(), 'Hello there');
    const subject = await parseMessage(POISON['NUL in a Q encoded-word subject'] as Buffer);
    assert.equal(subject.subject, 'ab');
    const headers = await parseMessage(POISON['raw NUL bytes in headers'] as Buffer);
    assert.equal(headers.from?.address, 'ann@candidate.com');
    assert.equal(headers.messageId, '<id@candidate.com>');
  });

  it('hardening: cleaning drops NUL, replaces lone surrogates and keeps everything else', () => {
    assert.equal(storableText('a\u0000b\ud800c\udc00d 👋\n\t'), 'ab\ufffdc\ufffdd 👋\n\t');
    assert.equal(storableLine(' Re:\u0000 a\r\n\tb\u0007 '), 'Re: a b');
    assert.equal(isStorable('plain 👋'), true);
    assert.equal(isStorable('a\u0000'), false);
    assert.equal(isStorable('\udc00'), false);
  });
});
