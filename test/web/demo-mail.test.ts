/**
 * The demo's sandbox mail panel in a real browser, with the worker and Gmail push running as `npm start`
 * runs them: Rex connects, a candidate's mail sent from the panel appears on the Threads page open in
 * another tab without a reload (live updates), and disappears there once the panel deletes it (R13).
 * Every page passes axe-core without a serious or critical violation.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_CLIENTS, DEMO_SSO, prepareSandbox, seedDemo } from '../../src/cli/demo.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';
import { PUSH } from '../support/live.ts';
import { testSandbox } from '../support/sandbox.ts';
import { chromiumPath, launchBrowser, screenshotFolder, seriousViolations } from '../support/web-browser.ts';

onCleanup(() => undefined);

const executable = chromiumPath();
const skip = executable ? false : 'Chromium is not installed (apt-get install chromium)';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The demo as `npm start` runs it: sandbox with Gmail push to the app, the app, the worker. */
async function demoWorld() {
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  const webhook = `${publicUrl}/webhooks/google`;
  const sandbox = await testSandbox({
    google: { pushEndpoint: webhook, pushAudience: webhook, pushServiceAccount: PUSH.serviceAccountEmail },
  });
  await prepareSandbox(sandbox.url, publicUrl);
  const testing = await testApp({
    web: true,
    demo: true,
    demoSandboxUrl: sandbox.url,
    config: {
      publicUrl,
      sso: { ...DEMO_SSO, issuer: `${sandbox.url}/google` },
      google: {
        ...DEMO_CLIENTS.google,
        issuer: `${sandbox.url}/google`,
        apiRoot: `${sandbox.url}/google`,
        push: {
          ...PUSH,
          audience: webhook,
          issuers: [`${sandbox.url}/google`],
          jwksUrl: `${sandbox.url}/google/oauth2/v3/certs`,
        },
      },
    },
  });
  await seedDemo(testing.context, sandbox.url);
  await testing.app.listen({ port: Number(new URL(publicUrl).port), host: '127.0.0.1' });
  onCleanup(() => testing.app.server.closeAllConnections());
  const runner = await startWorker(
    testing.database.pool,
    testing.context,
    { pollQuietMs: 3_600_000, decisionTtlMs: 30 * 86_400_000 },
    2,
  );
  onCleanup(() => runner.stop());
  return { ...testing, sandbox, publicUrl };
}

async function checkAccessible(page: Page, what: string) {
  const violations = await seriousViolations(page);
  assert.deepEqual(
    violations.map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
    [],
    `axe on ${what}`,
  );
}

test('Demo mail panel: mail sent from it appears on Threads without a reload, and goes when deleted (R13)', {
  skip,
  timeout: 240_000,
}, async (t) => {
  const world = await demoWorld();
  const shots = screenshotFolder();
  t.diagnostic(`screenshots: ${shots}`);
  const browser = await launchBrowser(executable as string);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const threads = await context.newPage();
  const pageErrors: string[] = [];
  threads.on('pageerror', (error) => pageErrors.push(error.message));

  await threads.goto(`${world.publicUrl}/`);
  await threads.getByRole('button', { name: 'Rex Recruiter' }).click();
  await threads.getByRole('heading', { name: 'Threads' }).waitFor();
  await threads.getByRole('link', { name: 'My integration' }).click();
  await threads.getByRole('button', { name: 'Connect my mailbox' }).click();
  await threads.getByRole('button', { name: 'Continue' }).click();
  await threads.getByLabel('Account').fill('rex@acme.example');
  await threads.getByRole('button', { name: 'Allow' }).click();
  await threads.getByRole('heading', { name: 'Mailbox connected' }).waitFor();
  // Wait until the first sync has run and the Gmail watch is on, as the demo would a few seconds after.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const connection = await world.database.db
      .selectFrom('mailbox_sync')
      .select(['last_sync_succeeded_at'])
      .executeTakeFirst();
    if (connection?.last_sync_succeeded_at) break;
    assert.ok(Date.now() < deadline, 'the first sync ran');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  await threads.goto(`${world.publicUrl}/threads`);
  await threads.getByText('No threads yet.').waitFor();
  await threads.getByText('New mail appears here by itself.').waitFor();
  let navigations = 0;
  threads.on('framenavigated', (frame) => {
    if (frame === threads.mainFrame()) navigations += 1;
  });

  const panel = await context.newPage();
  panel.on('pageerror', (error) => pageErrors.push(error.message));
  await panel.goto(`${world.publicUrl}/threads`);
  await panel.getByRole('link', { name: 'Sandbox mail' }).click();
  await panel.getByRole('heading', { name: 'Sandbox mail' }).waitFor();
  await panel.getByRole('heading', { name: 'Google Workspace (Gmail)' }).waitFor();
  await checkAccessible(panel, 'the sandbox mail panel');
  await panel.screenshot({ path: path.join(shots, '01-sandbox-mail.png'), fullPage: true });

  const writeIn = panel.getByRole('form', { name: 'A candidate writes to a recruiter' });
  await writeIn
    .getByLabel('From', { exact: true })
    .selectOption({ label: 'Grace Candidate <grace.candidate@gmail.com>' });
  await writeIn
    .getByLabel('To', { exact: true })
    .selectOption({ label: 'Rex Recruiter <rex@acme.example> at Google' });
  await writeIn.getByLabel('Subject', { exact: true }).fill('Live from the panel');
  await writeIn.getByRole('button', { name: 'Send as the candidate' }).click();
  const rexBox = panel.getByRole('article', { name: /Rex Recruiter/ }).first();
  await rexBox.getByText('Live from the panel', { exact: true }).waitFor();

  const sent = Date.now();
  await threads.getByRole('link', { name: 'Live from the panel' }).waitFor({ timeout: 20_000 });
  t.diagnostic(`on the Threads page ${Date.now() - sent} ms after it was sent`);
  assert.equal(navigations, 0, 'no reload');
  await checkAccessible(threads, 'Threads with live mail');
  await threads.screenshot({ path: path.join(shots, '02-threads-live.png'), fullPage: true });

  await rexBox.getByRole('button', { name: 'Reply as Rex Recruiter' }).click();
  await rexBox.getByRole('button', { name: 'Send as Rex Recruiter' }).click();
  await rexBox.getByText('Re: Live from the panel', { exact: true }).waitFor();
  await threads.getByText('2 messages').waitFor({ timeout: 20_000 });
  await checkAccessible(panel, 'the panel after a reply');

  await rexBox.getByRole('button', { name: 'Delete “Live from the panel” for good' }).click();
  await rexBox.getByRole('button', { name: 'Move “Re: Live from the panel” to the trash' }).click();
  await threads.getByText('No threads yet.').waitFor({ timeout: 20_000 });
  assert.equal(await threads.getByRole('link', { name: 'Live from the panel' }).count(), 0);
  assert.equal(navigations, 0, 'still no reload');
  await panel.screenshot({ path: path.join(shots, '03-sandbox-mail-after.png'), fullPage: true });
  await threads.screenshot({ path: path.join(shots, '04-threads-after.png'), fullPage: true });
  await checkAccessible(threads, 'Threads after the deletion');
  assert.deepEqual(pageErrors, []);
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
