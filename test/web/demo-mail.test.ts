/**
 * The demo's sandbox mail panel in a real browser, with the worker and Gmail push running as `npm start`
 * runs them: Rex connects, a candidate's mail sent from the panel appears on the Threads page open in
 * another tab without a reload (live updates), and disappears there once the panel deletes it (R13).
 * Every page passes axe-core without a serious or critical violation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';
import {
  browserPage,
  connectThroughConsent,
  REX,
  signInAs,
  skip,
  watch,
  webWorld,
} from '../support/web-world.ts';

onCleanup(() => undefined);

test('Demo mail panel: mail sent from it appears on Threads without a reload, and goes when deleted (R13)', {
  skip,
  timeout: 240_000,
}, async (t) => {
  const world = await webWorld({ live: true });
  const threads = await browserPage(t);

  await signInAs(threads.page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(threads.page, REX);
  // Wait until the first sync has run and the Gmail watch is on, as the demo would a few seconds after.
  await world.firstSync();

  await threads.page.goto(`${world.publicUrl}/threads`);
  await threads.page.getByText('No threads yet.').waitFor();
  await threads.page.getByText('New mail appears here by itself.').waitFor();
  const loads = threads.navigations();

  const panel = watch(await threads.page.context().newPage(), threads.shots);
  await panel.page.goto(`${world.publicUrl}/threads`);
  await panel.page.getByRole('link', { name: 'Sandbox mail' }).click();
  await panel.page.getByRole('heading', { name: 'Sandbox mail' }).waitFor();
  await panel.page.getByRole('heading', { name: 'Google Workspace (Gmail)' }).waitFor();
  await panel.snap('01-sandbox-mail');

  const writeIn = panel.page.getByRole('form', { name: 'A candidate writes to a recruiter' });
  await writeIn
    .getByLabel('From', { exact: true })
    .selectOption({ label: 'Grace Candidate <grace.candidate@gmail.com>' });
  await writeIn
    .getByLabel('To', { exact: true })
    .selectOption({ label: 'Rex Recruiter <rex@acme.example> at Google' });
  await writeIn.getByLabel('Subject', { exact: true }).fill('Live from the panel');
  await writeIn.getByRole('button', { name: 'Send as the candidate' }).click();
  const rexBox = panel.page.getByRole('article', { name: /Rex Recruiter/ }).first();
  await rexBox.getByText('Live from the panel', { exact: true }).waitFor();

  const sent = Date.now();
  await threads.page.getByRole('link', { name: 'Live from the panel' }).waitFor({ timeout: 20_000 });
  t.diagnostic(`on the Threads page ${Date.now() - sent} ms after it was sent`);
  assert.equal(threads.navigations(), loads, 'no reload');
  await threads.snap('02-threads-live');

  await rexBox.getByRole('button', { name: 'Reply as Rex Recruiter' }).click();
  await rexBox.getByRole('button', { name: 'Send as Rex Recruiter' }).click();
  await rexBox.getByText('Re: Live from the panel', { exact: true }).waitFor();
  await threads.page.getByText('2 messages').waitFor({ timeout: 20_000 });
  await panel.snap('02-sandbox-mail-replied');

  await rexBox.getByRole('button', { name: 'Delete “Live from the panel” for good' }).click();
  await rexBox.getByRole('button', { name: 'Move “Re: Live from the panel” to the trash' }).click();
  await threads.page.getByText('No threads yet.').waitFor({ timeout: 20_000 });
  assert.equal(await threads.page.getByRole('link', { name: 'Live from the panel' }).count(), 0);
  assert.equal(threads.navigations(), loads, 'still no reload');
  await panel.snap('03-sandbox-mail-after');
  await threads.snap('04-threads-after');
  assert.deepEqual([...threads.errors, ...panel.errors], []);
});

test('the demo mail panel exists in the demo only', async () => {
  const plain = await testApp();
  const org = await plain.organization();
  const response = await plain.call(org.recruiter.token, 'GET', '/api/demo/mailboxes');
  assert.equal(response.statusCode, 404);
  const post = await plain.call(
    org.recruiter.token,
    'POST',
    '/api/demo/mailboxes/google/rex@acme.example/deliver',
    { from: 'grace.candidate@gmail.com', subject: 's', text: 't' },
  );
  assert.equal(post.statusCode, 404);
});
