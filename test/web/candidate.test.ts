/**
 * The candidate page in a real browser, on the demo's people and the provider sandbox: Rex finds Grace,
 * reads her history (synced email and InMail in one timeline, newest first), opens a thread, searches
 * it, shares one thread with the organization and lets the team see another exists; Cleo sees the
 * shared one, only the existence of the `metadata` one and nothing of the private one; Rex erases a
 * thread, writes an InMail and proposes interview times. axe-core passes each step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { createAccessToken } from '../../src/services/accounts.ts';
import { onCleanup } from '../support/cleanup.ts';
import {
  browserPage,
  connectThroughConsent,
  entry,
  GRACE as GRACE_ADDRESS,
  REX,
  signInAs,
  signOut,
  skip,
  type WebWorld,
  webWorld,
} from '../support/web-world.ts';

onCleanup(() => undefined);

const GRACE = { name: 'Grace Candidate', address: GRACE_ADDRESS };

/** Rex signs in and connects his mailbox through the sandbox's consent page. */
async function connectRex(page: Page, publicUrl: string) {
  await signInAs(page, publicUrl, 'Rex Recruiter');
  await connectThroughConsent(page, REX);
}

/** Rex's and Grace's API tokens, and Grace's member id. */
async function people(world: WebWorld) {
  return {
    graceId: world.graceId,
    rexToken: world.tokens.rex,
    graceToken: await createAccessToken(world.database.db, { kind: 'member', memberId: world.graceId }),
  };
}

/** The page's document as far as the focus check needs it (the tests are typed without the DOM). */
type Focused = { document: { activeElement: { textContent: string | null } | null } };

/** A locator's text, as the reader gets it. */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

test('R17, R15, R16, R18: the candidate page merges the history, shares, erases, writes an InMail and proposes times', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, errors, snap } = await browserPage(t);

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

  assert.deepEqual(errors, []);
});

test('R17, R18: older entries and results load on request; a booked interview shows its Meet link, and its recruiter cancels it', {
  skip,
}, async (t) => {
  const world = await webWorld();
  const { page, errors, snap } = await browserPage(t);
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
  await snap('09-booked');

  await chat.getByRole('button', { name: 'Cancel interview…' }).click();
  await chat.getByText(/^Cancel the interview on .+\?$/).waitFor();
  await chat.getByRole('button', { name: 'Cancel the interview' }).click();
  await chat.getByText(/^Cancelled: /).waitFor();
  assert.equal(await chat.getByRole('link', { name: /^https?:\/\// }).count(), 0);
  await snap('10-cancelled');
  assert.deepEqual(errors, []);
});
