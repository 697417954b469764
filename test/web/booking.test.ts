/**
 * R18 in a real browser, the candidate's side, on both providers: Rex proposes times from an InMail
 * conversation; Grace, in another time zone than his, opens the booking link signed out, signs in and comes
 * back to it, sees the times in her zone with his beside them, finds a time taken meanwhile and is shown
 * what is left, books, and sees the confirmation in both zones with the Meet or Teams link; the sandbox
 * calendar holds one event with her invited; rescheduling keeps that event and link; cancelling withdraws
 * it. Every page passes axe-core without a serious or critical violation; screenshots are kept.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeSlot } from '../../src/domain/slot-text.ts';
import { PROVIDERS } from '../../src/providers/types.ts';
import { onCleanup } from '../support/cleanup.ts';
import { OPEN_SETTINGS, type SlotBody } from '../support/scheduling.ts';
import { GRACE, openBrowser, person, pickPerson, skip, webWorld } from '../support/web-world.ts';

onCleanup(() => undefined);

const RECRUITER_ZONE = 'America/New_York';
const CANDIDATE_ZONE = 'Asia/Tokyo';
const CONFERENCE = { google: /^https:\/\/meet\.google\.com\//, microsoft: /teams/ } as const;

const inZone = (slot: SlotBody, zone: string) =>
  describeSlot({ start: new Date(slot.start), end: new Date(slot.end) }, zone);

for (const provider of PROVIDERS) {
  describe(`the booking page on ${provider}`, () => {
    test(`R18: the candidate books, reschedules and cancels in their own zone, with the ${provider === 'google' ? 'Meet' : 'Teams'} link (${provider})`, {
      skip,
    }, async (t) => {
      const world = await webWorld({ provider, rexConnected: true });
      await world.asRex('PUT', '/api/me/scheduling', { ...OPEN_SETTINGS, timeZone: RECRUITER_ZONE });
      const conversation = await world.asRex(
        'POST',
        '/api/inmail/conversations',
        { memberId: world.graceId, subject: 'Backend role', body: 'Would you have time for a short call?' },
        201,
      );
      const { proposal } = await world.asRex(
        'POST',
        `/api/inmail/conversations/${conversation.id}/proposals`,
        { durationMinutes: 30, horizonDays: 3, maxSlots: 4 },
        201,
      );
      const slots = proposal.slots as SlotBody[];
      assert.equal(slots.length, 4);
      const [taken, first, second] = slots as [SlotBody, SlotBody, SlotBody];

      const browser = await openBrowser();
      const { page, errors, shots, snap } = await person(browser, {
        width: 1100,
        timezoneId: CANDIDATE_ZONE,
      });
      t.diagnostic(`screenshots: ${shots}`);

      // Signed out, the link goes through sign-in and back to the same page.
      await page.goto(proposal.link);
      await page.getByText('Sign in to see your interview times.').waitFor();
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      await snap(`${provider}-01-sign-in-from-link`);
      await pickPerson(page, 'Grace Candidate');
      await page.getByRole('heading', { name: 'Your interview' }).waitFor();
      assert.equal(new URL(page.url()).pathname, new URL(proposal.link).pathname);
      await page.getByText('With Rex Recruiter of Acme Talent (demo), about “Backend role”.').waitFor();

      // The times in her zone (the browser's), with his beside them.
      const zone = page.getByLabel('Show times in this time zone');
      assert.equal(await zone.inputValue(), CANDIDATE_ZONE);
      const radios = page.getByRole('radio');
      await radios.first().waitFor();
      assert.equal(await radios.count(), 4);
      assert.deepEqual(
        await page.locator('.slot-local').allTextContents(),
        slots.map((slot) => inZone(slot, CANDIDATE_ZONE)),
      );
      await page.getByText(`for the recruiter ${inZone(taken, RECRUITER_ZONE)}`).waitFor();
      await snap(`${provider}-02-booking-times`);

      // Another zone chosen by hand: the same times, told in it.
      await zone.selectOption('Europe/Berlin');
      await page.getByText(inZone(taken, 'Europe/Berlin')).waitFor();
      await zone.selectOption(CANDIDATE_ZONE);
      await page.getByText(inZone(taken, CANDIDATE_ZONE)).waitFor();

      // Rex's calendar fills up meanwhile: the page says so and offers what is left.
      await world.busy(taken.start, taken.end);
      await page.getByRole('radio', { name: inZone(taken, CANDIDATE_ZONE) }).check();
      await page.getByRole('button', { name: 'Book this time' }).click();
      await page.getByRole('alert').getByText('That time can no longer be booked').waitFor();
      await page.getByRole('group', { name: 'Times still free' }).waitFor();
      assert.equal(await page.getByRole('radio', { name: inZone(taken, CANDIDATE_ZONE) }).count(), 0);
      await snap(`${provider}-03-time-taken`);

      await page.getByRole('radio', { name: inZone(first, CANDIDATE_ZONE) }).check();
      await page.getByRole('button', { name: 'Book this time' }).click();
      await page.getByRole('heading', { name: 'Your interview is booked' }).waitFor();
      assert.equal(await page.locator('.booked-local').textContent(), inZone(first, CANDIDATE_ZONE));
      assert.equal(await page.locator('.booked-recruiter').textContent(), inZone(first, RECRUITER_ZONE));
      const conference = page.locator('a.conference');
      await conference.waitFor();
      const link = (await conference.getAttribute('href')) ?? '';
      assert.match(link, CONFERENCE[provider]);
      assert.equal(await conference.getAttribute('target'), '_blank');
      await snap(`${provider}-04-booked`);

      const interviews = async () =>
        (await world.events()).filter((event) => !event.gone && event.attendees.length);
      let [event, ...others] = await interviews();
      assert.equal(others.length, 0, 'exactly one interview event');
      assert.ok(event);
      assert.deepEqual(event.attendees, [GRACE]);
      assert.equal(event.start.toISOString(), first.start);
      assert.equal(event.link, link);
      const eventId = event.id;

      // Reschedule: the same event and the same link, at the new time.
      await page.getByRole('radio', { name: inZone(second, CANDIDATE_ZONE) }).check();
      await page.getByRole('button', { name: 'Move to this time' }).click();
      await page.locator('.booked-local', { hasText: inZone(second, CANDIDATE_ZONE) }).waitFor();
      await page.getByText('You can reschedule 1 more time.').waitFor();
      assert.equal(await page.locator('a.conference').getAttribute('href'), link);
      [event, ...others] = await interviews();
      assert.equal(others.length, 0);
      assert.deepEqual([event?.id, event?.link, event?.start.toISOString()], [eventId, link, second.start]);
      await snap(`${provider}-05-rescheduled`);

      await page.getByRole('button', { name: 'Cancel the interview…' }).click();
      await page.getByRole('button', { name: 'Yes, cancel the interview' }).click();
      await page.getByRole('heading', { name: 'This interview is cancelled' }).waitFor();
      assert.deepEqual(await interviews(), [], 'the event is withdrawn');
      await snap(`${provider}-06-cancelled`);

      // Home lists the interview and the conversation, where every change was posted; she replies.
      await page.getByRole('link', { name: 'Home' }).click();
      await page.getByRole('heading', { name: 'Hello, Grace Candidate' }).waitFor();
      await page.getByText(`Cancelled (was ${inZone(second, CANDIDATE_ZONE)})`).waitFor();
      await snap(`${provider}-07-member-home`);
      await page.getByRole('link', { name: 'Backend role' }).click();
      await page.getByText('Would you have time for a short call?').waitFor();
      await page.getByRole('link', { name: proposal.link }).first().waitFor();
      await page.getByLabel('Your reply').fill('Sorry, something came up. Next week?');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByText('Sorry, something came up. Next week?').waitFor();
      await snap(`${provider}-08-conversation`);
      const seen = await world.asRex('GET', `/api/inmail/conversations/${conversation.id}`);
      assert.equal(seen.messages.at(-1).body, 'Sorry, something came up. Next week?');
      assert.equal(seen.messages.at(-1).sender, 'member');

      assert.deepEqual(errors, []);
    });
  });
}

test('R18: an expired proposal is explained, and its times are not offered', { skip }, async () => {
  const world = await webWorld({ rexConnected: true });
  await world.asRex('PUT', '/api/me/scheduling', OPEN_SETTINGS);
  const conversation = await world.asRex(
    'POST',
    '/api/inmail/conversations',
    { memberId: world.graceId, subject: 'Another role', body: 'Interested?' },
    201,
  );
  const { proposal } = await world.asRex(
    'POST',
    `/api/inmail/conversations/${conversation.id}/proposals`,
    { durationMinutes: 15, horizonDays: 2, maxSlots: 2, expiresInWeeks: 1 },
    201,
  );
  const browser = await openBrowser();
  const { page, errors, snap } = await person(browser, { width: 1100, timezoneId: 'Europe/Lisbon' });
  await page.goto(`${world.publicUrl}/`);
  await pickPerson(page, 'Grace Candidate');
  const realNow = world.context.now;
  world.context.now = () => new Date(new Date(proposal.expiresAt).getTime() + 60_000);
  try {
    await page.goto(proposal.link);
    await page.getByText('This invitation expired on').waitFor();
    assert.equal(await page.getByRole('radio').count(), 0);
    await snap('expired');
  } finally {
    world.context.now = realNow;
  }
  assert.deepEqual(errors, []);
});
