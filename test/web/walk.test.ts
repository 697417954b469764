/**
 * The web app in a real browser, on the demo's people and the provider sandbox: Rex signs in, connects
 * his mailbox through the sandbox's consent page, a candidate's mail arrives (the test runs sync and
 * reloads, as the page does not update by itself yet), Rex shares the thread (R15), Cleo sees it. Every
 * page passes axe-core without a serious or critical violation. A hostile email renders inert.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { onCleanup } from '../support/cleanup.ts';
import {
  assertAccessible,
  browserPage,
  connectThroughConsent,
  REX,
  signInAs,
  signOut,
  skip,
  webWorld,
} from '../support/web-world.ts';

// Clean-up hooks belong to the file (onCleanup registers its `after` where it is first called): the
// worlds the tests build are taken down once all of them are done.
onCleanup(() => undefined);

/** A local image server that counts what reaches it: a remote image must not load until asked. */
async function imageServer() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/gif' });
    response.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

test('Walk (R6, R15, R17): Rex connects, a candidate writes, Rex shares the thread, Cleo reads it', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, errors, snap } = await browserPage(t);

  await page.goto(`${world.publicUrl}/`);
  await page.getByRole('heading', { name: 'Demo: sign in as' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await snap('01-sign-in');

  await page.getByRole('button', { name: 'Rex Recruiter' }).click();
  await page.getByRole('heading', { name: 'Threads' }).waitFor();
  await page.getByText('No threads yet.').waitFor();
  await snap('02-threads-empty');

  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByText('Your mailbox is not connected yet.').waitFor();
  await snap('03-integration-not-connected');
  await page.getByRole('button', { name: 'Connect my mailbox' }).click();
  // The start link's page: the web session stands for the access token.
  await page.getByText('You are signed in to talentsync as Rex Recruiter.').waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  // The sandbox's consent page, as Google's would be.
  await page.getByLabel('Account').fill('rex@acme.example');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Mailbox connected' }).waitFor();
  await page.goto(`${world.publicUrl}/integration`);
  await page.getByText('Connected: mail you exchange with candidates is synced.').waitFor();
  await snap('04-integration-connected');

  await world.sandbox.control.post('/google/mailboxes/rex@acme.example/deliver', {
    from: { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' },
    to: [{ address: 'rex@acme.example' }],
    subject: 'Hello from Grace',
    html: '<p>Hello Rex, here is <b>my CV</b>. See <a href="https://grace.example/cv">my page</a>.</p>',
  });
  await world.sandbox.control.post('/google/mailboxes/rex@acme.example/deliver', {
    from: { name: 'Alan Applicant', address: 'alan@applicant.example' },
    to: [{ address: 'rex@acme.example' }],
    subject: 'Between us',
    text: 'A private word.',
  });
  await world.syncAll();
  await page.getByRole('link', { name: 'Threads' }).click();
  await page.getByRole('link', { name: 'Between us' }).waitFor();
  await page.getByRole('link', { name: 'Hello from Grace' }).waitFor();
  await snap('05-threads');

  await page.getByRole('link', { name: 'Hello from Grace' }).click();
  await page.getByRole('heading', { name: 'Hello from Grace' }).waitFor();
  const body = page.frameLocator('iframe[title^="Message from"]');
  await body.getByText('here is').waitFor();
  assert.equal(await body.getByRole('link', { name: 'my page' }).getAttribute('target'), '_blank');
  assert.match((await body.getByRole('link', { name: 'my page' }).getAttribute('rel')) ?? '', /noopener/);
  await snap('06-thread');

  await page.getByRole('link', { name: 'Grace Candidate' }).first().click();
  await page.getByRole('heading', { name: 'Grace Candidate' }).waitFor();
  await page.getByRole('heading', { name: 'Communication history' }).waitFor();
  await page.getByRole('link', { name: 'Hello from Grace' }).waitFor();
  const share = page.getByRole('radio', { name: /Visible to organization/ });
  await share.click();
  await page.waitForSelector('input[value="organization"]:checked');
  await page.getByText('· Visible to organization').waitFor();
  await snap('07-candidate-shared');

  await signOut(page);
  await signInAs(page, world.publicUrl, 'Cleo Colleague');
  await page.getByRole('link', { name: 'Hello from Grace' }).click();
  await body.getByText('here is').waitFor();
  // Cleo is no owner: no visibility control for her.
  assert.equal(await page.getByRole('group', { name: 'Who can see this thread' }).count(), 0);
  await snap('08-colleague-reads-shared-thread');

  // R15: Rex's shared thread is there for Cleo; his private one would not be.
  await page.getByRole('link', { name: '← All threads' }).click();
  await page.getByRole('link', { name: 'Hello from Grace' }).waitFor();
  assert.equal(await page.locator('.threads > li').count(), 1);
  assert.equal(await page.getByText('Between us').count(), 0);
  await signOut(page);
  await signInAs(page, world.publicUrl, 'Ada Admin');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Users and their mailboxes' }).waitFor();
  await page.getByRole('cell', { name: 'rex@acme.example', exact: true }).waitFor();
  await page.getByRole('radio', { name: 'Do Not Integrate' }).check();
  await page.getByRole('button', { name: 'Change provider…' }).click();
  await page.getByText('Switching to Do Not Integrate un-authorizes 1 user').waitFor();
  await snap('09-settings-confirm');

  assert.deepEqual(errors, []);
});

test('A hostile email renders inert: no script runs, nothing is fetched until the viewer asks for images', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const images = await imageServer();
  const { page, shots } = await browserPage(t);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const popups: string[] = [];
  page.context().on('page', (opened) => popups.push(opened.url()));

  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, REX);

  await world.sandbox.control.post('/google/mailboxes/rex@acme.example/deliver', {
    from: { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' },
    to: [{ address: 'rex@acme.example' }],
    subject: 'Totally harmless',
    html: [
      '<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;background:red;z-index:99999">OVERLAY</div>',
      "<script>top.document.title='pwned';alert('script')</script>",
      `<img src="x" onerror="top.document.title='pwned';alert('onerror')">`,
      `<a href="javascript:top.document.title='pwned'">a javascript link</a>`,
      `<form action="${images.url}/form" method="post"><input name="q" value="x"><button>Send the form</button></form>`,
      `<img src="${images.url}/pixel.gif" alt="tracking pixel" width="20" height="20">`,
      '<p>Hostile body text</p>',
    ].join('\n'),
  });
  await world.syncAll();
  await page.goto(`${world.publicUrl}/threads`);
  await page.getByRole('link', { name: 'Totally harmless' }).click();
  const frame = page.frameLocator('iframe[title^="Message from"]');
  await frame.getByText('Hostile body text').waitFor();
  await page.waitForTimeout(1000);

  const sandboxFlags = (await page.locator('iframe[title^="Message from"]').getAttribute('sandbox')) ?? '';
  assert.doesNotMatch(sandboxFlags, /allow-scripts|allow-same-origin|allow-forms/);
  assert.equal(await frame.locator('script').count(), 0);
  assert.equal(await frame.locator('form').count(), 0);
  assert.equal(await frame.locator('a[href^="javascript:"]').count(), 0);
  await frame.getByText('a javascript link').click();
  await page.waitForTimeout(300);
  assert.equal(await page.title(), 'talentsync');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(popups, []);
  assert.deepEqual(images.requests, [], 'nothing reached the image server before the viewer asked');
  // The overlay stays inside its frame: the page's own controls are still there to click.
  await page.getByRole('link', { name: '← All threads' }).click({ trial: true, timeout: 2000 });
  await page.screenshot({ path: path.join(shots, 'hostile-blocked.png'), fullPage: true });
  await assertAccessible(page, 'the hostile thread');

  await page.getByRole('button', { name: 'Show images' }).click();
  await frame.getByAltText('tracking pixel').waitFor();
  await page.waitForTimeout(1000);
  assert.deepEqual(images.requests, ['/pixel.gif'], 'the image loads once the viewer asks, and only it');
  assert.equal(await page.title(), 'talentsync');
  assert.deepEqual(dialogs, []);
  await page.screenshot({ path: path.join(shots, 'hostile-images-shown.png'), fullPage: true });
});
