/**
 * R16 in a real browser, the candidate's side: Grace sets who can find her, downloads everything held about
 * her from synced mail (the file holds her email to Rex), and erases it after a confirmation that says what
 * happens; afterwards Rex's history of her is empty, her new mail is not synced while she is suppressed, and
 * choosing "Anyone" again is her consent to sync from then on. Every page passes axe-core without a serious
 * or critical violation; screenshots are kept.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { onCleanup } from '../support/cleanup.ts';
import { GRACE, openBrowser, person, pickPerson, REX, skip, webWorld } from '../support/web-world.ts';

onCleanup(() => undefined);

test('R16: the candidate exports their data and erases their synced email from the My data page', {
  skip,
}, async (t) => {
  const world = await webWorld({ rexConnected: true });
  const history = async () =>
    (await world.asRex('GET', `/api/members/${world.graceId}/history`)).entries as { subject?: string }[];
  const write = async (subject: string) => {
    await world.deliver({
      from: { name: 'Grace Candidate', address: GRACE },
      to: [{ address: REX }],
      subject,
      text: `${subject}: my CV is attached.`,
    });
    await world.syncAll();
  };

  const browser = await openBrowser();
  const { page, errors, shots, snap } = await person(browser, { width: 1100 });
  t.diagnostic(`screenshots: ${shots}`);
  await page.goto(`${world.publicUrl}/`);
  await pickPerson(page, 'Grace Candidate');
  await page.getByRole('heading', { name: 'Hello, Grace Candidate' }).waitFor();
  await page.getByText(GRACE).waitFor();
  await page.getByText('No conversations yet.').waitFor();
  await page.getByText('No interview proposals yet.').waitFor();
  await snap('member-01-home');

  // Who can find her: the choice is saved, and said in words.
  await page.getByRole('radio', { name: /^Nobody/ }).check();
  await page.getByRole('button', { name: 'Save my setting' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await page.getByText('Nobody (your setting)').waitFor();
  await page.getByRole('radio', { name: /^Anyone/ }).check();
  await page.getByRole('button', { name: 'Save my setting' }).click();
  await page.getByText('Anyone (your setting)').waitFor();

  await write('Hello from Grace');
  assert.deepEqual(
    (await history()).map((entry) => entry.subject),
    ['Hello from Grace'],
  );

  await page.getByRole('link', { name: 'My data' }).click();
  await page.getByRole('heading', { name: 'Download my data' }).waitFor();
  await snap('member-02-my-data');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^talentsync-export-[0-9a-f-]{36}\.json$/);
  const file = JSON.parse(readFileSync((await download.path()) ?? '', 'utf8'));
  assert.deepEqual(
    file.messages.map((message: { subject: string; bodyText: string }) => [
      message.subject,
      message.bodyText.trim(),
    ]),
    [['Hello from Grace', 'Hello from Grace: my CV is attached.']],
  );
  assert.deepEqual(file.member.emails, [GRACE]);
  await page
    .getByText(
      /^Downloaded talentsync-export-.*: 1 synced email and 0 InMail messages, from 1 organization\.$/,
    )
    .waitFor();
  await snap('member-03-exported');

  await page.getByRole('button', { name: 'Erase my synced email…' }).click();
  await page.getByText('Erase all of it? This cannot be undone.').waitFor();
  await page.getByText('every organization', { exact: true }).waitFor();
  await snap('member-04-erase-confirm');
  await page.getByRole('button', { name: 'Yes, erase my synced email' }).click();
  const answer = page.locator('.erased');
  await answer.getByText('1 email in 1 thread, across 1 organization').waitFor();
  await answer.getByText(/1 address is now suppressed/).waitFor();
  await answer.getByText(/Backups holding erased email age out within 30 days\./).waitFor();
  await snap('member-05-erased');
  assert.deepEqual(await history(), [], 'Rex’s history of Grace is empty');

  // Suppressed: new mail with her is not synced until she consents again.
  await write('Still there?');
  assert.deepEqual(await history(), []);
  await page.getByRole('link', { name: 'Home' }).click();
  await page.getByRole('radio', { name: /^Anyone/ }).check();
  await page.getByRole('button', { name: 'Save my setting' }).click();
  await page.getByRole('status').getByText('Saved.').waitFor();
  await write('Back again');
  assert.deepEqual(
    (await history()).map((entry) => entry.subject),
    ['Back again'],
    'after her new consent, only mail from then on syncs',
  );
  assert.deepEqual(errors, []);
});
