import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';

const t = await testApp();
const org = await t.organization();
const colleague = await t.user(org.orgId);

describe('InMail', () => {
  it('carries a conversation both ways: recruiter starts, member answers, recruiter replies', async () => {
    const member = await t.member();
    const started = await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: member.id,
      subject: 'Staff engineer role',
      body: 'Would you like to talk?',
    });
    assert.equal(started.statusCode, 201);
    const id = started.json().id;

    const seen = (await t.call(member.token, 'GET', '/api/inmail/conversations')).json().conversations;
    assert.deepEqual(
      seen.map((c: { id: string; subject: string }) => [c.id, c.subject]),
      [[id, 'Staff engineer role']],
    );
    const answer = await t.call(member.token, 'POST', `/api/inmail/conversations/${id}/messages`, {
      body: 'Yes!',
    });
    assert.equal(answer.statusCode, 201);
    assert.equal(answer.json().sender, 'member');
    await t.call(org.recruiter.token, 'POST', `/api/inmail/conversations/${id}/messages`, { body: 'Great.' });

    for (const token of [org.recruiter.token, member.token, colleague.token]) {
      const thread = (await t.call(token, 'GET', `/api/inmail/conversations/${id}`)).json();
      assert.deepEqual(
        thread.messages.map((m: { sender: string; body: string }) => `${m.sender}: ${m.body}`),
        ['user: Would you like to talk?', 'member: Yes!', 'user: Great.'],
      );
    }
  });

  it('lets colleagues read but only the recruiter who started it write', async () => {
    const member = await t.member();
    const id = (
      await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
        memberId: member.id,
        subject: 'Hello',
        body: 'First',
      })
    ).json().id;
    const write = await t.call(colleague.token, 'POST', `/api/inmail/conversations/${id}/messages`, {
      body: 'me too',
    });
    assert.equal(write.statusCode, 403);
  });

  it("keeps a member out of other members' conversations", async () => {
    const [one, other] = [await t.member(), await t.member()];
    const id = (
      await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
        memberId: one.id,
        subject: 'S',
        body: 'B',
      })
    ).json().id;
    assert.equal((await t.call(other.token, 'GET', `/api/inmail/conversations/${id}`)).statusCode, 404);
    const write = await t.call(other.token, 'POST', `/api/inmail/conversations/${id}/messages`, {
      body: 'x',
    });
    assert.equal(write.statusCode, 404);
    assert.deepEqual(
      (await t.call(other.token, 'GET', '/api/inmail/conversations')).json().conversations,
      [],
    );
  });

  it('refuses a conversation with a member who does not exist, and members cannot start one', async () => {
    const missing = await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: '00000000-0000-4000-8000-000000000000',
      subject: 'S',
      body: 'B',
    });
    assert.equal(missing.statusCode, 404);
    const member = await t.member();
    const byMember = await t.call(member.token, 'POST', '/api/inmail/conversations', {
      memberId: member.id,
      subject: 'S',
      body: 'B',
    });
    assert.equal(byMember.statusCode, 403);
  });

  it('pages through conversations, latest activity first, without gaps or repeats', async () => {
    const member = await t.member();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const response = await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
        memberId: member.id,
        subject: `S${i}`,
        body: 'B',
      });
      ids.push(response.json().id);
    }
    await t.call(member.token, 'POST', `/api/inmail/conversations/${ids[0]}/messages`, { body: 'bump' });
    const expected = [ids[0], ...ids.slice(1).reverse()];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/inmail/conversations?memberId=${member.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.call(colleague.token, 'GET', query)).json();
      seen.push(...page.conversations.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, expected);
  });

  it('refuses a forged cursor and an empty body, naming the field', async () => {
    const forged = await t.call(org.recruiter.token, 'GET', '/api/inmail/conversations?cursor=bm90LWpzb24');
    assert.equal(forged.statusCode, 400);
    assert.equal(forged.json().error.details[0].field, 'cursor');
    const member = await t.member();
    const empty = await t.call(org.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: member.id,
      subject: 'S',
      body: '',
    });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.details[0].field, 'body');
  });
});
