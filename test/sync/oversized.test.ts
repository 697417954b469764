import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { createMessageReader } from '../../src/sync/reader.ts';
import { onCleanup } from '../support/cleanup.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
await t.member({ emails: ['big.sender@candidates.example'] });
const CAP = 256 * 1024;
// This file's engine downloads messages of at most 256 KiB whole (SYNC_MAX_MESSAGE_BYTES).
t.context.reader = createMessageReader({ threads: 1, timeoutMs: 60_000, maxMessageBytes: CAP });
onCleanup(() => t.context.reader.close());

/** Records which message ids the engine downloaded whole. */
function watchRawDownloads(provider: Provider): string[] {
  const mail = t.context.providers[provider]?.mail;
  assert.ok(mail);
  const downloaded: string[] = [];
  const raw = mail.raw.bind(mail);
  mail.raw = (token, ids) => {
    downloaded.push(...ids);
    return raw(token, ids);
  };
  onCleanup(() => {
    mail.raw = raw;
  });
  return downloaded;
}

for (const provider of ['google', 'microsoft'] as Provider[]) {
  describe(`mail over the size cap on ${provider}`, () => {
    it('hardening: a mail over the size cap keeps its headers, text and attachment list, without its raw MIME', async () => {
      const downloaded = watchRawDownloads(provider);
      const box = await connectedMailbox(t, provider, `oversized-${provider}.example`);
      const attachment = randomBytes(CAP * 2);
      const big = await box.deliver({
        from: { name: 'Big', address: 'big.sender@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'My portfolio',
        text: 'Please find my portfolio attached.',
        html: '<p>Please find my <b>portfolio</b> attached.<script>alert(1)</script></p>',
        attachments: [
          {
            filename: 'portfolio.pdf',
            contentType: 'application/pdf',
            contentBase64: attachment.toString('base64'),
          },
        ],
      });
      const small = await box.deliver({
        from: { address: 'big.sender@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'Small note',
        text: 'Short.',
      });
      await box.sync();

      assert.ok(!downloaded.includes(big.id), 'the big mail was not downloaded whole');
      assert.ok(downloaded.includes(small.id), 'the small one was');
      const rows = await t.database.db
        .selectFrom('messages')
        .select([
          'provider_message_id',
          'subject',
          'body_text',
          'body_html',
          'attachments',
          'truncated',
          'rfc_message_id',
        ])
        .where('connection_id', '=', box.connectionId)
        .execute();
      const bigRow = rows.find((row) => row.provider_message_id === big.id);
      const smallRow = rows.find((row) => row.provider_message_id === small.id);
      assert.ok(bigRow && smallRow);
      assert.equal(bigRow.subject, 'My portfolio');
      assert.equal(bigRow.rfc_message_id, big.messageId);
      assert.match(bigRow.body_text, /Please find my portfolio attached\./);
      assert.doesNotMatch(bigRow.body_html ?? '', /script/);
      assert.deepEqual(
        bigRow.attachments.map(({ filename, contentType }) => ({ filename, contentType })),
        [{ filename: 'portfolio.pdf', contentType: 'application/pdf' }],
      );
      assert.ok(
        (bigRow.attachments[0]?.size ?? 0) >= attachment.length,
        'the attachment’s size is described',
      );
      assert.equal(bigRow.truncated, true, 'the stored message says it is not whole');
      assert.equal(smallRow.truncated, false);
    });
  });
}
