import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createMessageReader, UnreadableMessageError } from '../../src/sync/reader.ts';

/**
 * A candidate mail that is heavy to read: HTML of tag soup that keeps the sanitizer busy (issue 8, item 5)
 * beside 4 MiB of text to decode, so it stays heavy however the sanitizer is bounded.
 */
function heavyMail(tags: number): Buffer {
  const text = Buffer.from('Lebenslauf und Anschreiben. '.repeat(150_000)).toString('base64');
  return Buffer.from(
    [
      'From: <heavy@candidates.example>',
      'To: <rex@acme.example>',
      'Subject: Heavy',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      ...(text.match(/.{1,76}/g) ?? []),
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<p>${'<b>'.repeat(tags)}x</p>`,
      '--b--',
      '',
    ].join('\r\n'),
  );
}

const plain = Buffer.from('From: <a@b.example>\r\nSubject: Hi\r\n\r\nHello there, here is my CV.\r\n');

describe('reading mail off the event loop', () => {
  const reader = createMessageReader({ threads: 1, timeoutMs: 120_000, maxMessageBytes: 1 << 20 });
  after(() => reader.close());

  it('reads a message on a reader thread, with its snippet', async () => {
    const read = await reader.read(plain);
    assert.equal(read.subject, 'Hi');
    assert.equal(read.snippet, 'Hello there, here is my CV.');
  });

  it('hardening: while a heavy mail is read, the main event loop keeps answering', async () => {
    // Counted in turns of the event loop, not in time: a read on this thread (sanitizing is synchronous)
    // would let only a handful of turns through before it finished.
    let turns = 0;
    let reading = true;
    const spin = () => {
      turns += 1;
      if (reading) setImmediate(spin);
    };
    const read = reader.read(heavyMail(40_000)).finally(() => {
      reading = false;
    });
    setImmediate(spin);
    const message = await read;
    assert.equal(message.subject, 'Heavy');
    assert.ok(turns >= 1000, `the event loop turned ${turns} times while the heavy mail was read`);
  });

  it('hardening: a read past its time limit is aborted and the message is unreadable', async () => {
    const hasty = createMessageReader({ threads: 1, timeoutMs: 1, maxMessageBytes: 1 << 20 });
    try {
      await assert.rejects(hasty.read(heavyMail(40_000)), UnreadableMessageError);
    } finally {
      await hasty.close();
    }
  });

  it('a closed reader refuses reads without calling the message unreadable', async () => {
    const closed = createMessageReader({ threads: 1, timeoutMs: 1000, maxMessageBytes: 1 << 20 });
    await closed.close();
    await assert.rejects(closed.read(plain), (error: unknown) => !(error instanceof UnreadableMessageError));
  });
});
