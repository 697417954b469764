import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await providerTest();
const zoe = await t.member({ emails: ['zoe@xn--bcher-kva.example'] });
const nina = await t.member({ emails: ['nina@candidates.example'] });

/** A raw message as a candidate's RFC 6532 mail client writes it: UTF-8 straight in the headers. */
function utf8Raw(to: string, id: string): string {
  const lines = [
    'From: "Zoë Brontë" <zoe@bücher.example>',
    `To: ${to}`,
    'Subject: Bewerbung — Zoë 🎓',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@bücher.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße, mein Lebenslauf folgt.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8').toString('base64');
}

/** A raw message without a Date header (RFC 5322 requires one; some scripts and gateways omit it). */
function undatedRaw(to: string, id: string): string {
  const lines = [
    'From: Nina <nina@candidates.example>',
    `To: ${to}`,
    'Subject: No date here',
    `Message-ID: <${id}@candidates.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Sent by a script that forgot the Date header.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8').toString('base64');
}

async function onlyMessage(box: Awaited<ReturnType<typeof connectedMailbox>>, subject: string) {
  const thread = (await box.threads()).find((one) => one.subject === subject);
  assert.ok(thread, `the thread "${subject}" synced`);
  const { messages } = (await t.call(box.recruiter.token, 'GET', `/api/threads/${thread.id}`)).json();
  return (await t.call(box.recruiter.token, 'GET', `/api/messages/${messages[0].id}`)).json();
}

for (const provider of ['google', 'microsoft'] as Provider[]) {
  describe(`RFC 6532 headers and undated mail on ${provider}`, () => {
    it('R10: UTF-8 in From and Subject is read as UTF-8 and the IDN sender matches the member registered in punycode', async () => {
      const box = await connectedMailbox(t, provider, `utf8-${provider}.example`);
      await box.deliver({ raw: utf8Raw(box.recruiter.email, `utf8-${provider}`) });
      await box.sync();
      const message = await onlyMessage(box, 'Bewerbung — Zoë 🎓');
      assert.equal(message.from.name, 'Zoë Brontë');
      assert.deepEqual(message.memberIds, [zoe.id]);
    });

    it('R17: a message without a Date header is dated when the mailbox received it, the same on both providers', async () => {
      const box = await connectedMailbox(t, provider, `undated-${provider}.example`);
      await box.deliver({ raw: undatedRaw(box.recruiter.email, `undated-${provider}`) });
      await box.sync();
      const message = await onlyMessage(box, 'No date here');
      assert.deepEqual(message.memberIds, [nina.id]);
      assert.notEqual(message.sentAt, null);
      assert.equal(message.sentAt, message.receivedAt);
    });
  });
}
