import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPayload } from '../../../src/sandbox/google/payload.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('Gmail payload tree from raw MIME', () => {
  it('numbers nested parts 0, 0.0, 0.1, 1 even when an outer boundary prefixes an inner one', () => {
    const raw = crlf([
      'From: a@b.example',
      'Subject: nested',
      'Content-Type: multipart/mixed; boundary="abc"',
      '',
      '--abc',
      'Content-Type: multipart/alternative; boundary="abcd"',
      '',
      '--abcd',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 soft=',
      'break',
      '--abcd',
      'Content-Type: text/html',
      '',
      '<p>hi</p>',
      '--abcd--',
      '--abc',
      "Content-Type: application/octet-stream; name*=utf-8''r%C3%A9sum%C3%A9.pdf",
      'Content-Disposition: attachment',
      'Content-Transfer-Encoding: base64',
      '',
      'AAEC',
      '--abc--',
      '',
    ]);
    const { tree, attachments, text } = buildPayload(raw, 'seed');
    const ids = (part: typeof tree): string[] => [part.partId, ...(part.parts ?? []).flatMap(ids)];
    assert.deepEqual(ids(tree), ['', '0', '0.0', '0.1', '1']);
    const plain = tree.parts?.[0]?.parts?.[0];
    assert.deepEqual(
      Buffer.from(plain?.body.data ?? '', 'base64url'),
      Buffer.from('caf\u00e9 softbreak', 'latin1'),
    );
    assert.equal(text, 'caf\u00e9 softbreak');
    const file = tree.parts?.[1];
    assert.equal(file?.filename, 'r\u00e9sum\u00e9.pdf');
    assert.equal(file?.body.size, 3);
    assert.deepEqual(attachments.get(file?.body.attachmentId ?? ''), Buffer.from([0, 1, 2]));
  });

  it('reads a part without headers as text/plain, and a single-part message as one leaf', () => {
    const multipart = buildPayload(
      crlf(['Content-Type: multipart/mixed; boundary=x', '', '--x', '', 'bare body', '--x--']),
      's',
    );
    assert.equal(multipart.tree.parts?.[0]?.mimeType, 'text/plain');
    assert.deepEqual(multipart.tree.parts?.[0]?.headers, []);
    const single = buildPayload(crlf(['Subject: one', '', 'just text']), 's');
    assert.equal(single.tree.partId, '');
    assert.equal(single.tree.parts, undefined);
    assert.equal(Buffer.from(single.tree.body.data ?? '', 'base64url').toString(), 'just text');
  });
});
