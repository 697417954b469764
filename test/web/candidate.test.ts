/**
 * The candidate page in a real browser, on the demo's people and the provider sandbox: Rex finds Grace,
 * reads her history (synced email and InMail in one timeline, newest first), opens a thread, searches
 * it, shares one thread with the organization and lets the team see another exists; Cleo sees the
 * shared one, only the existence of the `metadata` one and nothing of the private one; Rex erases a
 * thread, writes an InMail and proposes interview times. axe-core passes each step.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { DEMO_CLIENTS, DEMO_SSO, prepareSandbox, seedDemo } from '../../src/cli/demo.ts';
import { createAccessToken } from '../../src/services/accounts.ts';
import { runSync } from '../../src/services/sync.ts';
import { testApp } from '../support/app.ts';
import { onCleanup } from '../support/cleanup.ts';
import { testSandbox } from '../support/sandbox.ts';
import { chromiumPath, launchBrowser, screenshotFolder, seriousViolations } from '../support/web-browser.ts';

onCleanup(() => undefined);

const executable = chromiumPath();
const skip = executable ? false : 'Chromium is not installed (apt-get install chromium)';
const REX = 'rex@acme.example';
const GRACE = { name: 'Grace Candidate', address: 'grace.candidate@gmail.com' };

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The demo on the sandbox, served on a known port; Rex's mailbox connected through the consent page. */
async function demoWorld() {
  const sandbox = await testSandbox();
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  await prepareSandbox(sandbox.url, publicUrl);
  const testing = await testApp({
    web: true,
    demo: true,
    config: {
      publicUrl,
      sso: { ...DEMO_SSO, issuer: `${sandbox.url}/google` },
      google: {
        ...DEMO_CLIENTS.google,
        issuer: `${sandbox.url}/google`,
        apiRoot: `${sandbox.url}/google`,
        push: undefined,
      },
    },
  });
  await seedDemo(testing.context, sandbox.url);
  await testing.app.listen({ port: Number(new URL(publicUrl).port), host: '127.0.0.1' });
  onCleanup(() => testing.app.server.closeAllConnections());
  const syncAll = async () => {
    const connections = await testing.database.db
      .selectFrom('mailbox_connections')
      .select(['org_id', 'id'])
      .where('status', '=', 'connected')
      .execute();
    for (const connection of connections) {
      for (let run = 0; run < 5; run += 1) await runSync(testing.context, connection.org_id, connection.id);
    }
  };
  return { ...testing, sandbox, publicUrl, syncAll };
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

async function signInAs(page: Page, publicUrl: string, name: string) {
  await page.goto(`${publicUrl}/`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await page.getByRole('button', { name }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
}

/** Rex signs in and connects his mailbox through the sandbox's consent page. */
async function connectRex(page: Page, publicUrl: string) {
  await signInAs(page, publicUrl, 'Rex Recruiter');
  await page.getByRole('link', { name: 'My integration' }).click();
  await page.getByRole('button', { name: 'Connect my mailbox' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Account').fill(REX);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByRole('heading', { name: 'Mailbox connected' }).waitFor();
}

/** Rex's and Grace's API tokens, and Grace's member id. */
async function people(world: Awaited<ReturnType<typeof demoWorld>>) {
  const db = world.database.db;
  const rex = await db
    .selectFrom('users')
    .select(['id', 'org_id'])
    .where('email', '=', REX)
    .executeTakeFirstOrThrow();
  const grace = await db
    .selectFrom('members')
    .select('id')
    .where('external_id', '=', 'demo-1')
    .executeTakeFirstOrThrow();
  return {
    graceId: grace.id,
    rexToken: await createAccessToken(db, { kind: 'user', orgId: rex.org_id, userId: rex.id }),
    graceToken: await createAccessToken(db, { kind: 'member', memberId: grace.id }),
  };
}

/** The page's document as far as the focus check needs it (the tests are typed without the DOM). */
type Focused = { document: { activeElement: { textContent: string | null } | null } };

/** A locator's text, as the reader gets it. */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The timeline entry whose title is `title`. */
function entry(page: Page, title: string): Locator {
  return page.locator('.timeline > li.entry', {
    has: page.getByRole('heading', { name: title, exact: true }),
  });
}

test('R17, R15, R16, R18: the candidate page merges the history, shares, erases, writes an InMail and proposes times', {
  skip,
}, async (t) => {
  const world = await demoWorld();
  const shots = screenshotFolder();
  t.diagnostic(`screenshots: ${shots}`);
  const browser = await launchBrowser(executable as string);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const snap = async (name: string) => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
    await checkAccessible(page, name);
  };

  await connectRex(page, world.publicUrl);

  // Grace's mail, a moment apart so the order is known (received, received, sent, received); only mail
  // after the connection syncs, as the demo's backfill window is 0 days (R9).
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  const mail = `/google/mailboxes/${REX}`;
  await world.sandbox.control.post(`${mail}/deliver`, {
    from: GRACE,
    to: [{ address: REX }],
    subject: 'Hello from Grace',
    html: '<p>Hello Rex, here is my <b>portfolio</b> and my CV.</p>',
  });
  await pause();
  await world.sandbox.control.post(`${mail}/deliver`, {
    from: GRACE,
    to: [{ address: REX }],
    subject: 'Reference check',
    text: 'My references are attached.',
  });
  await pause();
  await world.sandbox.control.post(`${mail}/send`, {
    to: [GRACE],
    subject: 'Wrong address',
    text: 'Meant for someone else.',
  });
  await pause();
  await world.sandbox.control.post(`${mail}/deliver`, {
    from: GRACE,
    to: [{ address: REX }],
    subject: 'Salary expectations',
    text: 'Between us: my salary expectations.',
  });
  await pause();
  await world.syncAll();
  // Rex's InMail to Grace, through the API (the newest entry).
  const { graceId, rexToken } = await people(world);
  const started = await world.call(rexToken, 'POST', '/api/inmail/conversations', {
    memberId: graceId,
    subject: 'Screening chat',
    body: 'Hi Grace, shall we talk?',
  });
  assert.equal(started.statusCode, 201, started.body);

  // Find Grace by her address, and open her page.
  await page.goto(`${world.publicUrl}/threads`);
  await page.getByRole('link', { name: 'Candidates' }).click();
  await page.getByLabel('Candidate’s email').fill('hedy@private.example');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByText('No candidate you may find has the address hedy@private.example.').waitFor();
  await page.getByLabel('Candidate’s email').fill(GRACE.address);
  await page.getByRole('button', { name: 'Find' }).click();
  await snap('01-candidates-lookup');
  await page.getByRole('link', { name: 'Grace Candidate' }).click();
  await page.getByRole('heading', { name: 'Grace Candidate' }).waitFor();
  await entry(page, 'Screening chat').waitFor();

  // R17: InMail and email in one timeline, newest first.
  const titles = await page.locator('.timeline > li.entry .entry-title').allInnerTexts();
  assert.deepEqual(titles, [
    'Screening chat',
    'Salary expectations',
    'Wrong address',
    'Reference check',
    'Hello from Grace',
  ]);
  const times = await page
    .locator('.timeline > li.entry > p.muted time')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
  assert.deepEqual([...times].sort().reverse(), times, 'newest first');
  assert.match(await textOf(entry(page, 'Screening chat')), /InMail[\s\S]*Sent/);
  assert.match(await textOf(entry(page, 'Wrong address')), /Sent/);
  assert.match(await textOf(entry(page, 'Hello from Grace')), /Received[\s\S]*yours[\s\S]*Private to me/);
  await snap('02-candidate-history');

  // A thread opens in place, from the keyboard; its body reads in the sandboxed frame.
  await page.getByRole('button', { name: 'Show the messages of “Hello from Grace”' }).focus();
  await page.keyboard.press('Enter');
  const body = entry(page, 'Hello from Grace').frameLocator('iframe[title^="Message from"]');
  await body.getByText('portfolio').waitFor();
  assert.equal(
    await page
      .getByRole('button', { name: 'Hide the messages of “Hello from Grace”' })
      .getAttribute('aria-expanded'),
    'true',
  );
  await snap('03-thread-open');

  // Search within the history: found, and a clear empty state.
  await page.getByLabel('Words to find').fill('portfolio');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hits = page.locator('.search-hits > li');
  await hits.first().waitFor();
  assert.equal(await hits.count(), 1);
  assert.match(await textOf(hits.first()), /Hello from Grace/);
  await snap('04-search');
  await page.getByLabel('Words to find').fill('kangaroo');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('Nothing in this history you may see matches “kangaroo”.').waitFor();

  // R15: share one thread, let the team see another exists, keep the salary one private.
  await entry(page, 'Hello from Grace')
    .getByRole('radio', { name: /Visible to organization/ })
    .click();
  await entry(page, 'Hello from Grace').getByText('· Visible to organization').waitFor();
  await entry(page, 'Reference check')
    .getByRole('radio', { name: /Team can see it exists/ })
    .click();
  await entry(page, 'Reference check').getByText('· Team can see it exists').waitFor();
  await snap('05-shared');

  await signOut(page);
  await signInAs(page, world.publicUrl, 'Cleo Colleague');
  await page.goto(`${world.publicUrl}/candidates/${graceId}`);
  await entry(page, 'Hello from Grace').waitFor();
  const seen = await page.locator('.timeline > li.entry .entry-title').allInnerTexts();
  assert.deepEqual(seen, ['Screening chat', 'A thread of Rex Recruiter’s', 'Hello from Grace']);
  assert.equal(await page.getByText('Salary expectations').count(), 0);
  assert.equal(await page.getByText('Wrong address').count(), 0);
  assert.equal(await page.getByRole('group', { name: 'Who can see this thread' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Erase this thread…' }).count(), 0);
  const hidden = entry(page, 'A thread of Rex Recruiter’s');
  assert.doesNotMatch(await textOf(hidden), /Reference|references/);
  await page.getByRole('button', { name: 'Show the messages of “A thread of Rex Recruiter’s”' }).click();
  await hidden.getByText('Its owner lets the team see only that this thread exists').waitFor();
  assert.equal(await hidden.locator('iframe').count(), 0, 'no body for a metadata thread');
  assert.doesNotMatch(await textOf(hidden), /Reference|references/);
  await page.getByRole('button', { name: 'Show the messages of “Hello from Grace”' }).click();
  await entry(page, 'Hello from Grace').frameLocator('iframe').getByText('portfolio').waitFor();
  await snap('06-colleague-view');
  await signOut(page);

  // R16: Rex erases a thread of his; the answer in words, and it is gone.
  await signInAs(page, world.publicUrl, 'Rex Recruiter');
  await page.goto(`${world.publicUrl}/candidates/${graceId}`);
  await entry(page, 'Wrong address').getByRole('button', { name: 'Erase this thread…' }).click();
  await entry(page, 'Wrong address')
    .getByText('Erase “Wrong address” and its 1 message from talentsync?')
    .waitFor();
  // The question takes the focus, on its safe answer.
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as Focused).document.activeElement?.textContent),
    'Keep it',
  );
  await snap('07-erase-confirm');
  await entry(page, 'Wrong address').getByRole('button', { name: 'Erase for good' }).click();
  await page.getByText(/^Erased “Wrong address”: 1 message/).waitFor();
  await page.getByRole('heading', { name: 'Wrong address', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('.timeline > li.entry').count(), 4);

  // An InMail, in Rex's existing conversation.
  await page.getByText('In your conversation “Screening chat”.').waitFor();
  await page.getByRole('textbox', { name: 'Your InMail' }).fill('Could you send me two times that suit you?');
  await page.getByRole('button', { name: 'Send InMail' }).click();
  await page.getByText('Your InMail to Grace Candidate was sent.').waitFor();
  await page.getByRole('button', { name: 'Show the conversation of “Screening chat”' }).click();
  const chat = entry(page, 'Screening chat');
  await chat.getByText('Could you send me two times that suit you?').waitFor();
  assert.match(await textOf(chat), /2 messages/);

  // R18: propose interview times from the conversation; the hidden times carry their reasons.
  await chat.getByText('No times proposed in this conversation yet.').waitFor();
  await chat.getByLabel('Duration').selectOption('45');
  await chat.getByLabel('The offer expires after').selectOption('2');
  await chat.getByLabel('Times to offer, at most').fill('5');
  await chat.getByRole('button', { name: 'Propose times' }).click();
  await chat.getByText(/^Proposed 5 times; the candidate was sent the booking link by InMail\.$/).waitFor();
  assert.equal(await chat.getByRole('list', { name: 'Times offered' }).locator('li').count(), 5);
  await chat.locator('details summary').click();
  const reasons = await chat.locator('.hidden-times li').allInnerTexts();
  assert.ok(reasons.length > 0, 'some times are hidden');
  assert.ok(
    reasons.every((reason) =>
      /: (you are busy then|outside your working hours|too soon|too close|that day)/.test(reason),
    ),
  );
  await chat.getByText('45-minute interview · Open: the candidate can pick a time').waitFor();
  await chat.getByText(/Please pick a time for a screening interview/).waitFor();
  await snap('08-proposed');

  assert.deepEqual(pageErrors, []);
});

test('R17, R18: older entries and results load on request; a booked interview shows its Meet link, and its recruiter cancels it', {
  skip,
}, async (t) => {
  const world = await demoWorld();
  const shots = screenshotFolder();
  t.diagnostic(`screenshots: ${shots}`);
  const browser = await launchBrowser(executable as string);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await connectRex(page, world.publicUrl);
  const { graceId, rexToken, graceToken } = await people(world);

  // 21 conversations (one more than a page), the last one with an interview booked by Grace.
  let conversationId = '';
  for (let n = 1; n <= 21; n += 1) {
    const started = await world.call(rexToken, 'POST', '/api/inmail/conversations', {
      memberId: graceId,
      subject: n === 21 ? 'Interview chat' : `Pineapple chat ${n}`,
      body: `Pineapple question number ${n}`,
    });
    assert.equal(started.statusCode, 201, started.body);
    conversationId = started.json().id;
  }
  const proposed = await world.call(
    rexToken,
    'POST',
    `/api/inmail/conversations/${conversationId}/proposals`,
    {
      durationMinutes: 30,
    },
  );
  assert.equal(proposed.statusCode, 201, proposed.body);
  const { proposal } = proposed.json();
  const booked = await world.call(graceToken, 'POST', `/api/proposals/${proposal.id}/book`, {
    start: proposal.slots[0].start,
    timeZone: 'Europe/Berlin',
  });
  assert.equal(booked.statusCode, 201, booked.body);

  await page.goto(`${world.publicUrl}/candidates/${graceId}`);
  await entry(page, 'Interview chat').waitFor();
  const entries = page.locator('.timeline:not(.search-hits) > li.entry');
  assert.equal(await entries.count(), 20);
  await page.getByRole('button', { name: 'Show older entries' }).click();
  await entry(page, 'Pineapple chat 1').waitFor();
  assert.equal(await entries.count(), 21);
  assert.equal(await page.getByRole('button', { name: 'Show older entries' }).count(), 0);

  await page.getByLabel('Words to find').fill('pineapple');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hits = page.locator('.search-hits > li');
  await hits.first().waitFor();
  assert.equal(await hits.count(), 20);
  await page.getByRole('button', { name: 'Show older results' }).click();
  await page.locator('.search-hits > li').nth(20).waitFor();
  assert.equal(await hits.count(), 21);

  await page.getByRole('button', { name: 'Show the conversation of “Interview chat”' }).click();
  const chat = entry(page, 'Interview chat');
  await chat.getByText('30-minute interview · Booked').waitFor();
  const link = chat.getByRole('link', { name: /^https?:\/\// });
  await link.waitFor();
  assert.match((await link.getAttribute('href')) ?? '', /meet/);
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  await page.screenshot({ path: path.join(shots, '09-booked.png'), fullPage: true });
  await checkAccessible(page, 'a booked interview');

  await chat.getByRole('button', { name: 'Cancel interview…' }).click();
  await chat.getByText(/^Cancel the interview on .+\?$/).waitFor();
  await chat.getByRole('button', { name: 'Cancel the interview' }).click();
  await chat.getByText(/^Cancelled: /).waitFor();
  assert.equal(await chat.getByRole('link', { name: /^https?:\/\// }).count(), 0);
  await page.screenshot({ path: path.join(shots, '10-cancelled.png'), fullPage: true });
  await checkAccessible(page, 'a cancelled interview');
  assert.deepEqual(pageErrors, []);
});
