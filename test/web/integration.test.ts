/**
 * My integration in a real browser, on the demo's people and the provider sandbox: Rex connects through
 * the sandbox's consent page and lands back on My integration (R6); a personal mailbox connects only
 * with its warning (R8); a revoked grant asks for reconnecting and reconnecting resumes (R7); "why didn't
 * this email sync?" answers in words (R19); disconnecting asks first (R12); and with no provider nobody
 * can connect (R3). Every page passes axe-core.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { onCleanup } from '../support/cleanup.ts';
import {
  browserPage,
  connectThroughConsent,
  signInAs,
  signOut,
  skip,
  webWorld,
} from '../support/web-world.ts';

onCleanup(() => undefined);

const CONNECTED = 'Connected: mail you exchange with candidates is synced.';

async function ask(page: Page, messageId: string) {
  await page.getByLabel('Message-ID of the email').fill(messageId);
  await page.getByRole('button', { name: 'Look it up' }).click();
  const answer = page.locator('.why-answer .answer');
  await answer.waitFor();
  return ((await answer.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

test('R6: Rex connects through the sandbox consent page and lands back on My integration, connected', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByText('Your mailbox is not connected yet.').waitFor();
  await page.getByText('You will sign in at Google Workspace').waitFor();
  await snap('integration-01-not-connected');
  await connectThroughConsent(page, 'rex@acme.example');
  assert.equal(new URL(page.url()).pathname, '/integration');
  await page.getByText(CONNECTED).waitFor();
  await page.getByText('rex@acme.example (Google)').waitFor();
  await snap('integration-02-connected');
  assert.deepEqual(errors, []);
});

test('R19: why an email did or did not sync, in words, by Message-ID', { skip }, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  const { control } = world.sandbox;
  const deliver = (body: object, where = 'deliver') =>
    control.post<{ messageId: string }>(`/google/mailboxes/rex@acme.example/${where}`, {
      to: [{ address: 'rex@acme.example' }],
      text: 'A body the answer never shows.',
      ...body,
    });
  // Older than the connection: sync never lists it (R9); the lookup asks the mailbox for its headers.
  const old = await deliver({
    from: { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' },
    subject: 'An old one',
    date: '2026-01-05T10:00:00Z',
  });
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, 'rex@acme.example');
  await page.getByText(CONNECTED).waitFor();

  const synced = await deliver({
    from: { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' },
    subject: 'Hello from Grace',
  });
  const stranger = await deliver({ from: { address: 'someone@elsewhere.example' }, subject: 'Who am I' });
  const colleague = await deliver({ from: { name: 'Cleo', address: 'cleo@acme.example' }, subject: 'Lunch' });
  const spam = await deliver(
    { from: { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' }, subject: 'Win a prize' },
    'spam',
  );
  await world.syncAll();
  await page.reload();
  await page.getByText('1 messages synced').waitFor();

  assert.match(await ask(page, synced.messageId), /^Synced\. This message is synced\. ?Open its thread$/);
  await snap('integration-03-why-synced');
  await page.getByRole('link', { name: 'Open its thread' }).click();
  await page.getByRole('heading', { name: 'Hello from Grace' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Why didn’t this email sync?' }).waitFor();

  assert.match(
    await ask(page, stranger.messageId),
    /^Not synced\. No candidate can be found by its addresses\. No member can be found by the email addresses/,
  );
  await snap('integration-04-why-no-member');
  assert.match(
    await ask(page, colleague.messageId),
    /^Not synced\. Only colleagues are on it\. Everyone on the message is inside your organization/,
  );
  assert.match(
    await ask(page, spam.messageId),
    /^Not synced\. It is a draft, a chat, or spam\. The message is a draft, a chat, or was filed as spam/,
  );
  assert.match(
    await ask(page, old.messageId),
    /^Not synced\. It is from before your mailbox was connected\. The message is older than the moment/,
  );
  const unknown = await ask(page, '<no-such-message@nowhere.example>');
  assert.match(
    unknown,
    /^Not found\. Sync has no record of this message, and your connected mailbox has no such message/,
  );
  await snap('integration-05-why-unknown');
  // The answers name rules, never the message: no subject and no body appear.
  const text = (await page.locator('main').textContent()) ?? '';
  for (const secret of ['Who am I', 'Lunch', 'Win a prize', 'An old one', 'A body the answer never shows'])
    assert.equal(text.includes(secret), false, secret);
  assert.deepEqual(errors, []);
});

test('R8 and R7: a personal mailbox connects with its warning; a revoked grant asks to reconnect, and reconnecting resumes', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  const { control } = world.sandbox;
  await control.post('/google/users', { email: 'rex.private@gmail.com', name: 'Rex Recruiter' });
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByRole('button', { name: 'Connect my mailbox' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Account').fill('rex.private@gmail.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'This is a personal mailbox' }).waitFor();
  await page.getByRole('button', { name: 'Connect anyway' }).click();
  await page.getByRole('heading', { name: 'Mailbox connected' }).waitFor();
  await page.getByRole('link', { name: 'Back to My integration in talentsync' }).click();
  await page.getByText(CONNECTED).waitFor();
  const warning = page.getByRole('note');
  await warning.getByText(/^Warning: .*personal/i).waitFor();
  await snap('integration-06-personal-warning');

  // Sync catches up once, then the owner revokes talentsync at Google; the next sync meets the dead grant.
  await world.syncAll();
  await control.post('/google/users/rex.private@gmail.com/revoke', {});
  await world.syncAll();
  await page.reload();
  await page.getByText('Needs reconnecting: the provider no longer accepts talentsync’s access.').waitFor();
  await page.getByText('The provider stopped accepting talentsync’s access: it was revoked').waitFor();
  await page.getByText('Details').click();
  await page.getByText(/invalid_grant/).waitFor();
  await snap('integration-07-reauthorization-required');
  await page.getByRole('button', { name: 'Reconnect my mailbox' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Account').fill('rex.private@gmail.com');
  await page.getByRole('button', { name: 'Allow' }).click();
  const personal = page.getByRole('heading', { name: 'This is a personal mailbox' });
  const connected = page.getByRole('heading', { name: 'Mailbox connected' });
  await personal.or(connected).waitFor();
  if (await personal.count()) await page.getByRole('button', { name: 'Connect anyway' }).click();
  await page.getByText(/connected again; sync resumes where it stopped/).waitFor();
  await page.getByRole('link', { name: 'Back to My integration in talentsync' }).click();
  await page.getByText(CONNECTED).waitFor();
  assert.deepEqual(errors, []);
});

test('R12 and R3: disconnecting asks first and keeps the page in words; with no provider nobody can connect', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, 'rex@acme.example');
  await page.getByText(CONNECTED).waitFor();

  await page.getByRole('button', { name: 'Disconnect…' }).click();
  const confirmation = page.getByRole('alertdialog');
  await confirmation.getByText('Disconnect rex@acme.example? Sync stops').waitFor();
  await snap('integration-08-disconnect-confirm');
  await confirmation.getByRole('button', { name: 'Keep it connected' }).click();
  await page.getByText(CONNECTED).waitFor();
  await page.getByRole('button', { name: 'Disconnect…' }).click();
  await page.getByRole('button', { name: 'Yes, disconnect' }).click();
  await page.getByText('Disconnected: sync is stopped. Mail synced before stays.').waitFor();
  await page.getByRole('button', { name: 'Reconnect my mailbox' }).waitFor();
  await snap('integration-09-disconnected');
  const rows = await world.database.db
    .selectFrom('mailbox_connections')
    .select(['status', 'refresh_token'])
    .where('address', '=', 'rex@acme.example')
    .execute();
  assert.deepEqual(rows, [{ status: 'disconnected', refresh_token: null }]);

  await signOut(page);
  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Do Not Integrate' }).check();
  await page.getByRole('button', { name: 'Change provider…' }).click();
  await page.getByRole('button', { name: 'Yes, switch to Do Not Integrate' }).click();
  await page.getByText('uses Do Not Integrate').waitFor();
  await signOut(page);
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByText('Your organization has not chosen a mail provider yet').waitFor();
  assert.equal(await page.getByRole('button', { name: /connect my mailbox/i }).count(), 0);
  await snap('integration-10-no-provider');
  assert.deepEqual(errors, []);
});
