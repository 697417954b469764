/**
 * The admin's settings in a real browser, on the demo's people and the provider sandbox: switching the
 * provider names how many users it un-authorizes and then shows them as needing to reconnect (R5),
 * Microsoft 365 admin consent, internal domains with a refused one explained in words (R11), and the
 * audit log read and filtered by action. Every page passes axe-core.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertAuditEvent } from '../../src/db/audit.ts';
import { createUser } from '../../src/services/accounts.ts';
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

test('R5: Ada switches Google to Microsoft 365; the confirmation names 1 user, who then needs to reconnect', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);

  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, 'rex@acme.example');
  await page.getByText('Connected: mail you exchange with candidates is synced.').waitFor();
  await signOut(page);

  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('uses Google Workspace').waitFor();
  const rex = page.locator('tr[data-user="rex@acme.example"]');
  await rex.getByText('Connected', { exact: true }).waitFor();
  await snap('admin-01-settings');

  await page.getByRole('radio', { name: 'Microsoft 365' }).check();
  await page.getByRole('button', { name: 'Change provider…' }).click();
  const confirmation = page.getByRole('alertdialog');
  await confirmation.getByText('Switching to Microsoft 365 un-authorizes 1 user:').waitFor();
  await snap('admin-02-provider-confirm');
  await confirmation.getByRole('button', { name: 'Yes, switch to Microsoft 365' }).click();
  await page.getByText('Now on Microsoft 365. 1 user un-authorized').waitFor();
  await page.getByText('uses Microsoft 365').waitFor();
  await rex.getByText('Needs reconnecting', { exact: true }).waitFor();
  await rex.getByText(/switched the organization to Microsoft 365/).waitFor();
  assert.equal(await page.getByRole('alertdialog').count(), 0);
  await snap('admin-03-provider-switched');

  // Cancelling a change changes nothing.
  await page.getByRole('radio', { name: 'Do Not Integrate' }).check();
  await page.getByRole('button', { name: 'Change provider…' }).click();
  await page.getByText('Switching to Do Not Integrate un-authorizes 0 users').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('radio', { name: 'Microsoft 365' }).check();
  const organization = await world.database.db
    .selectFrom('organizations')
    .select('provider')
    .where('primary_domain', '=', 'acme.example')
    .executeTakeFirstOrThrow();
  assert.equal(organization.provider, 'microsoft');

  // Tenant-wide admin consent at the sandbox's Microsoft, and back to Settings.
  await page.getByText('Not granted yet.').waitFor();
  await page.getByRole('button', { name: 'Grant admin consent for Microsoft 365' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Sign in as').fill('ada@acme.example');
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('heading', { name: 'Admin consent granted' }).waitFor();
  await page.getByRole('link', { name: 'Back to Settings in talentsync' }).click();
  await page.getByText(/^Granted on .+ for tenant /).waitFor();
  await snap('admin-04-admin-consent');

  // Rex connects again, now at Microsoft.
  await signOut(page);
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByText('Needs reconnecting: your organization changed its provider').waitFor();
  await connectThroughConsent(page, 'rex@acme.example');
  await page.getByText('Connected: mail you exchange with candidates is synced.').waitFor();
  await page.getByText('rex@acme.example (Microsoft)').waitFor();
  assert.deepEqual(errors, []);
});

test('R11: Ada adds and removes an internal domain; a consumer domain and a non-domain are refused in words', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('No extra internal domains.').waitFor();

  const field = page.getByLabel('Add a domain');
  await field.fill('gmail.com');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await page
    .getByRole('alert')
    .getByText('"gmail.com" is a consumer mail domain, shared by unrelated people.')
    .waitFor();
  await snap('admin-05-domain-refused');
  await field.fill('not a domain');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await page.getByRole('alert').getByText('is not a domain name').waitFor();

  await field.fill('Acme-Labs.example');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await page.getByText('Added acme-labs.example.').waitFor();
  const list = page.getByRole('list', { name: 'Extra internal domains' });
  await list.getByText('acme-labs.example').waitFor();
  await field.fill('acme-research.example');
  await field.press('Enter');
  await list.getByText('acme-research.example').waitFor();
  await snap('admin-06-domains');
  const stored = await world.database.db
    .selectFrom('organizations')
    .select('internal_domains')
    .where('primary_domain', '=', 'acme.example')
    .executeTakeFirstOrThrow();
  assert.deepEqual(stored.internal_domains, ['acme-labs.example', 'acme-research.example']);

  await page.getByRole('button', { name: 'Remove acme-labs.example' }).click();
  await page.getByText('Removed acme-labs.example.').waitFor();
  assert.equal(await list.getByText('acme-labs.example').count(), 0);
  await list.getByText('acme-research.example').waitFor();

  // The backfill window: out of range is refused in words, a valid one is saved.
  const days = page.getByLabel('Days of mail before a connection to sync too');
  await days.fill('400');
  await page.getByRole('button', { name: 'Save window' }).click();
  await page.getByText('The backfill window is a whole number of days from 0 to 365.').waitFor();
  await days.fill('30');
  await page.getByRole('button', { name: 'Save window' }).click();
  await page.getByText('Saved: mailboxes connected from now on also sync 30 days of earlier mail.').waitFor();
  assert.deepEqual(errors, []);
});

test('Audit (R4, R5): Ada reads the audit log in words and filters it by action', { skip }, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, 'rex@acme.example');
  await signOut(page);
  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Add a domain').fill('acme-labs.example');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await page.getByText('Added acme-labs.example.').waitFor();
  await page.getByRole('radio', { name: 'Do Not Integrate' }).check();
  await page.getByRole('button', { name: 'Change provider…' }).click();
  await page.getByRole('button', { name: 'Yes, switch to Do Not Integrate' }).click();
  await page.getByText('uses Do Not Integrate').waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  const entries = page.getByRole('list', { name: 'Audit entries' }).getByRole('listitem');
  await entries.first().waitFor();
  const texts = await entries.allInnerTexts();
  assert.equal(texts.length, 3, texts.join('\n'));
  assert.match(
    texts[0] ?? '',
    /Ada Admin \(ada@acme\.example\) changed the provider from Google Workspace to Do Not Integrate; 1 user lost their connection\./,
  );
  assert.match(
    texts[1] ?? '',
    /Ada Admin \(ada@acme\.example\) changed the internal domains to acme-labs\.example\./,
  );
  assert.match(
    texts[2] ?? '',
    /Rex Recruiter \(rex@acme\.example\) connected their Google Workspace mailbox\./,
  );
  await snap('admin-07-audit');

  await page.getByLabel('Action').selectOption({ label: 'Mailbox connected' });
  await page.getByRole('button', { name: 'Show entries' }).click();
  await page.getByRole('listitem').filter({ hasText: 'changed the provider' }).waitFor({ state: 'detached' });
  // The filtered page replaces the list once it has loaded: wait for it before reading it.
  await entries.filter({ hasText: 'connected their Google Workspace mailbox' }).waitFor();
  assert.deepEqual(
    (await entries.allInnerTexts()).map((line) => line.split('\n').at(-1)),
    ['Rex Recruiter (rex@acme.example) connected their Google Workspace mailbox.'],
  );
  await snap('admin-08-audit-filtered');

  // A time range before anything happened holds nothing, said in words.
  await page.getByLabel('Action').selectOption({ label: 'All actions' });
  await page.getByLabel('Until').fill('2020-01-01T00:00');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await page.getByText('No entries match these filters.').waitFor();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('listitem').filter({ hasText: 'changed the provider' }).waitFor();
  assert.deepEqual(errors, []);
});

test('R15: Ada reads users’ connection health and the audit log a page at a time', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, snap, errors } = await browserPage(t);
  const { db } = world.database;
  const org = await db
    .selectFrom('organizations')
    .select('id')
    .where('primary_domain', '=', 'acme.example')
    .executeTakeFirstOrThrow();
  for (let n = 0; n < 30; n += 1) {
    const two = String(n).padStart(2, '0');
    await createUser(db, org.id, { email: `user-${two}@acme.example`, name: `User ${two}`, role: 'member' });
  }
  for (let n = 0; n < 60; n += 1) {
    await insertAuditEvent(db, org.id, {
      actorUserId: null,
      action: 'member_mail_exported',
      details: { exportId: `export-${n}`, messages: n },
    });
  }
  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  const rows = page.locator('table.users tbody tr');
  await rows.first().waitFor();
  // 33 users by email: ada, cleo, rex, then user-00 … user-29; 25 a page.
  assert.equal(await rows.count(), 25);
  await page.getByText('Page 1', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Next page →' }).click();
  await page.getByText('Page 2', { exact: true }).waitFor();
  assert.equal(await rows.count(), 8);
  assert.equal(await page.locator('tr[data-user="user-29@acme.example"]').count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Next page →' }).isDisabled(), true);
  await snap('admin-09-users-page-2');
  await page.getByRole('button', { name: '← Previous page' }).click();
  await page.locator('tr[data-user="ada@acme.example"]').waitFor();
  assert.equal(await rows.count(), 25);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  const entries = page.getByRole('list', { name: 'Audit entries' }).getByRole('listitem');
  await entries.first().waitFor();
  assert.equal(await entries.count(), 50);
  await entries
    .first()
    .getByText('A member (their own data request) exported their synced mail held here: 59 messages.')
    .waitFor();
  await page.getByRole('button', { name: 'Next page →' }).click();
  await page.getByText('Page 2', { exact: true }).waitFor();
  assert.equal(await entries.count(), 10);
  await entries.last().getByText('exported their synced mail held here: 0 messages.').waitFor();
  await snap('admin-10-audit-page-2');
  assert.deepEqual(errors, []);
});
