import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from '../support/app.ts';
import { eventually, liveTest } from '../support/live.ts';
import { connectedMailbox } from '../support/sync.ts';

const t = await liveTest();
const candidate = await t.member({ emails: ['live.candidate@candidates.example'] });

/** An open `GET /api/events` stream over real HTTP, collecting its events as they arrive. */
async function stream(token: string, base = t.publicUrl) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const events: { type: string; memberId?: string }[] = [];
  let text = '';
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        text += decoder.decode(chunk, { stream: true });
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
          }
        }
      }
    } catch {
      // aborted by the test
    }
  })();
  return {
    response,
    events,
    reading,
    close: () => controller.abort(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live updates (GET /api/events)', () => {
  it('R15: tells the owner within seconds of a delivery synced by the worker, and no other organization', async () => {
    const box = await connectedMailbox(t, 'google', 'live-a.example');
    const colleague = await t.user(box.orgId);
    const other = await t.organization('live-b.example');
    const owner = await stream(box.recruiter.token);
    const peer = await stream(colleague.token);
    const stranger = await stream(other.recruiter.token);
    const strangerAdmin = await stream(other.admin.token);
    try {
      assert.equal(owner.response.status, 200);
      assert.match(owner.response.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(owner.response.headers.get('cache-control'), 'no-store');
      assert.ok(
        owner.response.headers.get('content-security-policy'),
        'security headers go out with the stream',
      );
      const delivered = Date.now();
      await box.deliver({
        from: { address: 'live.candidate@candidates.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'Live hello',
        text: 'arrives without a reload',
      });
      await eventually(async () => owner.events.some((event) => event.type === 'threads'), 10_000);
      assert.ok(Date.now() - delivered < 10_000);
      assert.ok(owner.events.some((event) => event.type === 'history' && event.memberId === candidate.id));
      assert.ok(
        owner.events.every((event) =>
          Object.keys(event).every((key) => key === 'type' || key === 'memberId'),
        ),
        'ids only, never content',
      );
      await sleep(1000);
      assert.equal(stranger.events.length, 0, 'another organization hears nothing');
      assert.equal(strangerAdmin.events.length, 0, "another organization's admin hears nothing");
      assert.equal(peer.events.length, 0, 'a colleague hears nothing of a private thread');

      const [thread] = (await t.call(box.recruiter.token, 'GET', '/api/threads')).json().threads;
      const shared = await t.call(box.recruiter.token, 'PUT', `/api/threads/${thread.id}/visibility`, {
        visibility: 'organization',
      });
      assert.equal(shared.statusCode, 200, shared.body);
      await eventually(async () => peer.events.some((event) => event.type === 'threads'));
      assert.ok(
        peer.events.every((event) => event.type === 'threads'),
        "a colleague is never told which member's history changed",
      );

      const before = peer.events.length;
      const { messages } = await t.sandbox.control.get<{ messages: { id: string }[] }>(
        `/google/mailboxes/${box.recruiter.email}/messages`,
      );
      await box.act(messages[0]?.id ?? '', 'trash');
      await eventually(async () => peer.events.length > before, 10_000);
      await eventually(
        async () => (await t.call(colleague.token, 'GET', '/api/threads')).json().threads.length === 0,
      );
      await sleep(500);
      assert.equal(stranger.events.length, 0);
      assert.equal(strangerAdmin.events.length, 0);
    } finally {
      for (const open of [owner, peer, stranger, strangerAdmin]) open.close();
    }
  });

  it('is for signed-in recruiters only, and only for clients that ask for a stream', async () => {
    const anonymous = await fetch(`${t.publicUrl}/api/events`);
    assert.equal(anonymous.status, 401);
    const member = await fetch(`${t.publicUrl}/api/events`, {
      headers: { authorization: `Bearer ${candidate.token}`, accept: 'text/event-stream' },
    });
    assert.equal(member.status, 403);
    const org = await t.organization('live-accept.example');
    const plain = await t.call(org.recruiter.token, 'GET', '/api/events');
    assert.equal(plain.statusCode, 400, 'no endless body for a client that did not ask for a stream');
  });

  it('bounds the streams one user holds, and frees a slot when a stream closes', async () => {
    const org = await t.organization('live-limit.example');
    const open = [];
    for (let i = 0; i < 5; i += 1) open.push(await stream(org.recruiter.token));
    assert.ok(open.every((one) => one.response.status === 200));
    const refused = await fetch(`${t.publicUrl}/api/events`, {
      headers: { authorization: `Bearer ${org.recruiter.token}`, accept: 'text/event-stream' },
    });
    assert.equal(refused.status, 429);
    const colleague = await stream(org.admin.token);
    assert.equal(colleague.response.status, 200, 'the limit is per user');
    open.shift()?.close();
    const again = await eventually(async () => {
      const next = await stream(org.recruiter.token);
      if (next.response.status === 200) return next;
      next.close();
      return undefined;
    });
    for (const one of [...open, colleague, again]) one.close();
  });

  it('ends open streams when the server closes, instead of waiting on them', async () => {
    const own = await testApp();
    const org = await own.organization();
    const address = await own.app.listen({ port: 0, host: '127.0.0.1' });
    const streams = [await stream(org.recruiter.token, address), await stream(org.admin.token, address)];
    assert.ok(streams.every((one) => one.response.status === 200));
    const started = Date.now();
    await own.app.close();
    assert.ok(Date.now() - started < 10_000, `closed in ${Date.now() - started} ms`);
    await Promise.all(streams.map((one) => one.reading));
  });
});
