import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { testSandbox } from '../../support/sandbox.ts';
import { GMAIL_READONLY, gmailClient, newUser, registerClient, signIn } from './helpers.ts';

const sandbox = await testSandbox();
let email: string;
let api: ReturnType<typeof gmailClient>['api'];

before(async () => {
  await registerClient(sandbox);
  email = await newUser(sandbox);
  api = gmailClient(sandbox, await signIn(sandbox, email, [GMAIL_READONLY])).api;
});

const deliverRaw = (bytes: Buffer) =>
  sandbox.control.post<{ id: string }>(`/google/mailboxes/${email}/deliver`, {
    raw: bytes.toString('base64'),
  });

const message = (from: string, subject: string) =>
  [
    `From: ${from}`,
    `To: ${email}`,
    `Subject: ${subject}`,
    'Date: Tue, 01 Dec 2026 10:00:00 +0000',
    'Message-ID: <utf8-1@bücher.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße aus Köln',
    '',
  ].join('\r\n');

const header = (headers: { name?: string | null; value?: string | null }[] | undefined, name: string) =>
  headers?.find((entry) => entry.name === name)?.value;

describe('RFC 6532: raw UTF-8 in headers', () => {
  it('comes back as UTF-8 from metadata and full, and byte for byte from raw', async () => {
    const bytes = Buffer.from(message('"Zoë Ærøskøbing" <zoe@bücher.example>', 'Bewerbung — Zoë 🎓'), 'utf8');
    const { id } = await deliverRaw(bytes);
    const metadata = await api.users.messages.get({
      userId: 'me',
      id,
      format: 'metadata',
      metadataHeaders: ['From', 'Subject', 'Message-ID'],
    });
    assert.equal(header(metadata.data.payload?.headers, 'From'), '"Zoë Ærøskøbing" <zoe@bücher.example>');
    assert.equal(header(metadata.data.payload?.headers, 'Subject'), 'Bewerbung — Zoë 🎓');
    assert.equal(header(metadata.data.payload?.headers, 'Message-ID'), '<utf8-1@bücher.example>');
    const full = await api.users.messages.get({ userId: 'me', id, format: 'full' });
    assert.equal(header(full.data.payload?.headers, 'From'), '"Zoë Ærøskøbing" <zoe@bücher.example>');
    assert.equal(
      Buffer.from(full.data.payload?.body?.data ?? '', 'base64url')
        .toString('utf8')
        .trim(),
      'Grüße aus Köln',
    );
    const raw = await api.users.messages.get({ userId: 'me', id, format: 'raw' });
    assert.deepEqual(Buffer.from(raw.data.raw ?? '', 'base64url'), bytes);
  });

  it('finds the message by its UTF-8 sender and subject with q', async () => {
    await deliverRaw(Buffer.from(message('Zoë <zoe2@bücher.example>', 'Lebenslauf Zoë'), 'utf8'));
    const { data } = await api.users.messages.list({ userId: 'me', q: 'from:zoe2@bücher.example' });
    assert.equal(data.messages?.length, 1);
    const bySubject = await api.users.messages.list({ userId: 'me', q: 'subject:"lebenslauf zoë"' });
    assert.equal(bySubject.data.messages?.length, 1);
  });

  it('reads 8-bit header bytes that are not valid UTF-8 as Latin-1, never as replacement characters', async () => {
    const { id } = await deliverRaw(
      Buffer.from(message('J\u00f6rg <joerg@example.de>', 'Gr\u00fc\u00dfe'), 'latin1'),
    );
    const { data } = await api.users.messages.get({ userId: 'me', id, format: 'metadata' });
    assert.equal(header(data.payload?.headers, 'From'), 'Jörg <joerg@example.de>');
    assert.equal(header(data.payload?.headers, 'Subject'), 'Grüße');
  });
});
