/**
 * R18: a conversation's proposals, listed for the candidate page (`GET /api/inmail/conversations/{id}/proposals`):
 * newest first, each with its state and booking; read by the recruiter's organization only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerTest } from '../support/providers.ts';
import { scheduling } from '../support/scheduling.ts';

const t = await providerTest();

test('R18: a conversation lists its proposals newest first, with their booking and the Meet link once booked', async () => {
  const s = await scheduling(t, 'google');
  const url = `/api/inmail/conversations/${s.conversationId}/proposals`;
  const none = await t.call(s.box.recruiter.token, 'GET', url);
  assert.equal(none.statusCode, 200, none.body);
  assert.deepEqual(none.json(), { proposals: [] });

  const first = await s.propose({ durationMinutes: 30 });
  const second = await s.propose({ durationMinutes: 45 });
  const [slot] = second.proposal.slots;
  assert.ok(slot);
  const booked = await t.call(s.candidate.token, 'POST', `/api/proposals/${second.proposal.id}/book`, {
    start: slot.start,
    timeZone: 'Europe/Berlin',
  });
  assert.equal(booked.statusCode, 201, booked.body);

  const listed = await t.call(s.box.recruiter.token, 'GET', url);
  assert.equal(listed.statusCode, 200, listed.body);
  const { proposals } = listed.json();
  assert.deepEqual(
    proposals.map((p: { id: string; status: string; durationMinutes: number }) => [
      p.id,
      p.status,
      p.durationMinutes,
    ]),
    [
      [second.proposal.id, 'booked', 45],
      [first.proposal.id, 'open', 30],
    ],
  );
  assert.equal(proposals[0].booking.status, 'booked');
  assert.equal(new URL(proposals[0].booking.conference.url).host, 'meet.google.com');
  assert.equal(proposals[0].timeZone, 'UTC', "the recruiter's zone");
  assert.equal(proposals[1].booking, null);

  // The whole organization reads InMail, so a colleague reads the list too.
  const colleague = await t.user(s.box.orgId);
  assert.equal((await t.call(colleague.token, 'GET', url)).statusCode, 200);
});

test('R18: another organization, the candidate and an unknown conversation get no list', async () => {
  const s = await scheduling(t, 'google');
  await s.propose();
  const url = `/api/inmail/conversations/${s.conversationId}/proposals`;
  const other = await t.organization();
  const outsider = await t.call(other.recruiter.token, 'GET', url);
  assert.equal(outsider.statusCode, 404, outsider.body);
  assert.doesNotMatch(outsider.body, new RegExp(s.conversationId));
  assert.equal((await t.call(s.candidate.token, 'GET', url)).statusCode, 403);
  assert.equal((await t.call(undefined, 'GET', url)).statusCode, 401);
  const unknown = await t.call(
    s.box.recruiter.token,
    'GET',
    '/api/inmail/conversations/00000000-0000-4000-8000-000000000000/proposals',
  );
  assert.equal(unknown.statusCode, 404);
  assert.equal(
    (await t.call(s.box.recruiter.token, 'GET', '/api/inmail/conversations/nope/proposals')).statusCode,
    400,
  );
});
