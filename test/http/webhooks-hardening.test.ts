import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { fillerEntries, graphBody, webhookTest } from '../support/webhooks.ts';

const hooks = await webhookTest();
const { probe, work, graph, other, gmail } = hooks;
/** Who the request is about, then the pushes noted and the jobs queued: nothing grows with the body. */
const STATEMENTS_PER_REQUEST = 2;

const postGraph = (payload: string, path = '/webhooks/microsoft') =>
  probe.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload });

/** How many times the pending job with `key` was queued or replaced so far (0 when there is none). */
async function queued(key: string): Promise<number> {
  const job = await hooks.job(key);
  return job ? job.revision + 1 : 0;
}

describe('webhook hardening: bounded work whatever the body', () => {
  it('hardening: a 39,000-entry Graph notification costs a constant number of statements and queues its mailbox once', async () => {
    const good = { subscriptionId: graph.subscriptionId, clientState: graph.clientState };
    const body = graphBody([good, ...fillerEntries(19_500), good, ...fillerEntries(19_500)]);
    assert.ok(body.length < 1024 * 1024 && body.length > 900_000, `a body of ${body.length} bytes`);
    const before = await queued(`sync:${graph.box.connectionId}`);
    await hooks.t.database.db
      .updateTable('mailbox_sync')
      .set({ last_push_at: null })
      .where('connection_id', '=', graph.box.connectionId)
      .execute();
    hooks.reset();
    const response = await postGraph(body);
    assert.equal(response.statusCode, 202);
    assert.ok(work.statements.length <= STATEMENTS_PER_REQUEST, `${work.statements.length} statements`);
    assert.ok(work.checkouts <= STATEMENTS_PER_REQUEST, `${work.checkouts} pool checkouts`);
    assert.equal(await queued(`sync:${graph.box.connectionId}`), before + 1);
    const state = await hooks.t.database.db
      .selectFrom('mailbox_sync')
      .select('last_push_at')
      .where('connection_id', '=', graph.box.connectionId)
      .executeTakeFirstOrThrow();
    assert.ok(state.last_push_at, 'the push is noted, so the poll leaves the mailbox alone');
  });

  it('hardening: six 39,000-entry bodies in parallel stay bounded and /healthz answers meanwhile', async () => {
    const body = graphBody(fillerEntries(39_000));
    hooks.reset();
    const floods = Array.from({ length: 6 }, () => postGraph(body));
    const health = await probe.inject({ method: 'GET', url: '/healthz' });
    const answers = await Promise.all(floods);
    assert.equal(health.statusCode, 200);
    assert.deepEqual(
      answers.map((answer) => answer.statusCode),
      Array(6).fill(202),
    );
    // Six floods of unknown subscriptions, plus the health check's one statement.
    assert.ok(
      work.statements.length <= 6 * STATEMENTS_PER_REQUEST + 1,
      `${work.statements.length} statements`,
    );
  });

  it('hardening: a forged entry neither blocks its authentic siblings nor gets them queued twice', async () => {
    const a = { subscriptionId: graph.subscriptionId, clientState: graph.clientState };
    const b = { subscriptionId: other.subscriptionId, clientState: other.clientState };
    const forgedA = { subscriptionId: graph.subscriptionId, clientState: 'guessed' };
    const unknown = { subscriptionId: randomUUID(), clientState: graph.clientState };
    const keyA = `sync:${graph.box.connectionId}`;
    const keyB = `sync:${other.box.connectionId}`;
    const [beforeA, beforeB] = [await queued(keyA), await queued(keyB)];
    hooks.reset();
    const mixed = await postGraph(graphBody([forgedA, a, unknown, a, { subscriptionId: 7 }, b, forgedA]));
    assert.equal(mixed.statusCode, 202);
    assert.equal(mixed.body, '');
    assert.equal(
      await queued(keyA),
      beforeA + 1,
      'A queued once, however many of its entries were authentic',
    );
    assert.equal(await queued(keyB), beforeB + 1);
    assert.ok(work.statements.length <= STATEMENTS_PER_REQUEST);

    const onlyForged = await postGraph(graphBody([forgedA, { ...b, clientState: undefined }, unknown]));
    assert.equal(onlyForged.statusCode, 202);
    assert.equal(await queued(keyA), beforeA + 1, 'forged entries alone queue nothing');
    assert.equal(await queued(keyB), beforeB + 1);
  });

  it('hardening: an unknown subscription and a wrong clientState are answered alike, with the same queries', async () => {
    const answer = async (entry: { subscriptionId: string; clientState: string }) => {
      hooks.reset();
      const response = await postGraph(graphBody([entry]));
      // The rate limiter's countdown differs between any two requests; everything else must not.
      const { date: _date, 'x-ratelimit-remaining': _remaining, ...headers } = response.headers;
      return { status: response.statusCode, headers, body: response.body, statements: [...work.statements] };
    };
    const before = await queued(`sync:${graph.box.connectionId}`);
    const unknown = await answer({ subscriptionId: randomUUID(), clientState: 'guessed' });
    const wrong = await answer({ subscriptionId: graph.subscriptionId, clientState: 'guessed' });
    assert.deepEqual(wrong, unknown);
    assert.equal(unknown.status, 202);
    assert.equal(unknown.statements.length, 1, 'one lookup, and nothing queued');
    assert.equal(await queued(`sync:${graph.box.connectionId}`), before);
  });

  it('hardening: lifecycle notifications are bounded too and collapse into one job per mailbox and kind', async () => {
    const a = { subscriptionId: graph.subscriptionId, clientState: graph.clientState };
    const b = { subscriptionId: other.subscriptionId, clientState: other.clientState };
    const pushA = `push:${graph.box.connectionId}`;
    const pushB = `push:${other.box.connectionId}`;
    const syncA = `sync:${graph.box.connectionId}`;
    const syncB = `sync:${other.box.connectionId}`;
    const before = { pushA: await queued(pushA), pushB: await queued(pushB), syncA: await queued(syncA) };
    const syncBBefore = await queued(syncB);
    hooks.reset();
    const response = await postGraph(
      graphBody([
        { ...a, lifecycleEvent: 'reauthorizationRequired' },
        { ...a, lifecycleEvent: 'subscriptionRemoved' },
        { ...a, lifecycleEvent: 'missed' },
        { ...b, lifecycleEvent: 'reauthorizationRequired' },
        { ...b, lifecycleEvent: 'reauthorizationRequired' },
        { ...b, clientState: 'guessed', lifecycleEvent: 'subscriptionRemoved' },
        ...fillerEntries(18_000).map((entry) => ({ ...entry, lifecycleEvent: 'missed' })),
      ]),
      '/webhooks/microsoft/lifecycle',
    );
    assert.equal(response.statusCode, 202);
    assert.ok(work.statements.length <= STATEMENTS_PER_REQUEST, `${work.statements.length} statements`);
    assert.equal((await hooks.job(pushA))?.task, 'start_push', 'a removed subscription is recreated');
    assert.equal((await hooks.job(pushB))?.task, 'renew_push', 'the forged removal is not acted on');
    assert.equal(await queued(pushA), before.pushA + 1);
    assert.equal(await queued(pushB), before.pushB + 1);
    assert.equal(await queued(syncA), before.syncA + 1);
    assert.equal(await queued(syncB), syncBBefore, 'a renewal alone does not sync');
  });

  it('hardening: Gmail pushes are capped in size and verified before any database work', async () => {
    const push = (authorization: string | undefined, data: unknown, padding = '') =>
      probe.inject({
        method: 'POST',
        url: '/webhooks/google',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: JSON.stringify({
          message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: '1', padding },
          subscription: 'projects/talentsync-test/subscriptions/gmail-push',
        }),
      });
    const notification = { emailAddress: gmail.box.recruiter.email, historyId: '12345' };
    const key = `sync:${gmail.box.connectionId}`;
    const before = await queued(key);

    hooks.reset();
    assert.equal((await push(undefined, notification)).statusCode, 401);
    assert.equal((await push('Bearer not.a.jwt', notification)).statusCode, 401);
    const stranger = await gmail.sign({ email: 'someone@evil.example' });
    assert.equal((await push(`Bearer ${stranger}`, notification)).statusCode, 401);
    const token = await gmail.sign();
    assert.equal((await push(`Bearer ${token}`, notification, 'x'.repeat(17 * 1024))).statusCode, 413);
    assert.deepEqual(work.statements, [], 'nothing unauthenticated or oversized reaches the database');
    assert.equal(await queued(key), before);

    const accepted = await push(`Bearer ${token}`, notification);
    assert.equal(accepted.statusCode, 202);
    assert.ok(work.statements.length <= STATEMENTS_PER_REQUEST, `${work.statements.length} statements`);
    assert.equal(await queued(key), before + 1);
  });
});

describe('webhook hardening: the Graph validation handshake', () => {
  const handshake = (token: string, path = '/webhooks/microsoft') =>
    probe.inject({
      method: 'POST',
      url: `${path}?validationToken=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });

  it('hardening: the validationToken comes back decoded, as inert plain text, on both URLs', async () => {
    for (const path of ['/webhooks/microsoft', '/webhooks/microsoft/lifecycle']) {
      for (const token of [
        'Validation: Testing client application reachability for subscription Request-Id: 1d3c4b5a',
        '<script>alert(document.domain)</script>',
        '"><img src=x onerror=alert(1)>',
        '%3Cb%3Enot decoded twice%3C%2Fb%3E',
        'ünïcødé ✓ 中文',
        'v'.repeat(1024),
      ]) {
        const response = await handshake(token, path);
        assert.equal(response.statusCode, 200, token);
        assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
        assert.equal(response.body, token);
      }
    }
  });

  it('hardening: an over-long, empty, repeated or control-character validationToken is refused, not echoed', async () => {
    for (const token of ['v'.repeat(1025), '', 'line\r\nSet-Cookie: x=1', 'nul\u0000byte', 'del\u007f']) {
      const response = await handshake(token);
      assert.equal(response.statusCode, 400, JSON.stringify(token));
      assert.match(response.headers['content-type'] ?? '', /^application\/json/);
      assert.ok(!response.body.includes(token) || token === '', 'the token is not echoed');
    }
    const repeated = await probe.inject({
      method: 'POST',
      url: '/webhooks/microsoft?validationToken=a&validationToken=b',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(repeated.statusCode, 400);
  });
});
