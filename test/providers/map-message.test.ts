import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStorable } from '../../src/domain/storable.ts';
import { toMessageHeaders as fromGmail } from '../../src/providers/google/map-message.ts';
import { toMessageHeaders as fromGraph } from '../../src/providers/microsoft/map-message.ts';
import type { MessageHeaders } from '../../src/providers/types.ts';

/** Every string of the headers sync may store (the engine falls back on them when the MIME lacks one). */
function strings(headers: MessageHeaders): string[] {
  const people = [headers.from, ...headers.to, ...headers.cc, ...headers.bcc].filter((one) => one !== null);
  return [
    headers.subject,
    headers.rfcMessageId ?? '',
    ...people.flatMap((person) => [person.address, person.name ?? '']),
  ];
}

describe('hardening: provider headers are storable text', () => {
  it('hardening: NUL and lone surrogates in Gmail metadata headers never reach the store', () => {
    const headers = fromGmail({
      id: 'm1',
      threadId: 't1',
      internalDate: '1764000000000',
      labelIds: ['INBOX'],
      payload: {
        headers: [
          { name: 'From', value: '"Ann\u0000 \uD800Lee" <ann@people.example>' },
          { name: 'To', value: 'rex@acme.example' },
          { name: 'Subject', value: '=?utf-8?q?Hello=00_there?= \u0000\uDC00' },
          { name: 'Message-ID', value: '<id\u0000@people.example>' },
        ],
      },
    });
    for (const text of strings(headers)) assert.ok(isStorable(text), JSON.stringify(text));
    assert.equal(headers.subject, 'Hello there \uFFFD');
    assert.equal(headers.from?.address, 'ann@people.example');
  });

  it('hardening: NUL and lone surrogates in Graph message JSON never reach the store', () => {
    const facts = {
      address: 'rex@acme.example',
      drafts: 'd',
      junk: 'j',
      deleted: 'x',
      sent: 's',
      recoverable: 'r',
    };
    const headers = fromGraph(
      {
        id: 'm1',
        conversationId: 'c1',
        receivedDateTime: '2026-12-01T10:00:00Z',
        subject: 'Hi\u0000 \uD83D',
        internetMessageId: '<a\u0000b@people.example>',
        from: { emailAddress: { name: 'Ann\u0000', address: 'ann@people.example\u0000' } },
        toRecipients: [{ emailAddress: { name: '\uDFFF', address: 'rex@acme.example' } }],
      },
      facts,
    );
    for (const text of strings(headers)) assert.ok(isStorable(text), JSON.stringify(text));
    assert.equal(headers.from?.address, 'ann@people.example');
    assert.equal(headers.rfcMessageId, '<ab@people.example>');
  });
});
