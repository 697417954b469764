/**
 * R19 through the API, as a new user meets it: every reason on both providers, asked by provider id and
 * by RFC Message-ID, gives the same answer; mail sync never listed (from before authorization, spam or
 * junk, drafts) is decided from its headers alone, and the lookup stores nothing and downloads no body.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Provider } from '../../src/providers/types.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const PROVIDERS: Provider[] = ['google', 'microsoft'];
const DAY_MS = 86_400_000;
const CANDIDATE = 'why.candidate@candidates.example';
await t.member({ emails: [CANDIDATE] });
await t.member({ emails: ['why.hidden@people.example'], discoverability: 'nobody' });

/** The endpoints that answer about one message's headers and its body, which a fault can refuse. */
const REFUSED_ENDPOINT: Record<Provider, string> = {
  google: 'gmail.users.messages.get',
  microsoft: 'graph.messages.value',
};
/** The endpoint of the search by Message-ID. */
const SEARCH_ENDPOINT: Record<Provider, string> = {
  google: 'gmail.users.messages.list',
  microsoft: 'graph.messages.list',
};

/** The endpoint that answers one message's headers. */
const HEADERS_ENDPOINT: Record<Provider, string> = {
  google: 'gmail.users.messages.get',
  microsoft: 'graph.messages.get',
};

type Sent = { id: string; messageId: string };

/** A mailbox holding one message for each R19 situation, synced; answers the messages by situation. */
async function mailboxOfEveryReason(provider: Provider) {
  const domain = `why-${provider}-${randomBytes(3).toString('hex')}.example`;
  let old: Sent | undefined;
  const box = await connectedMailbox(t, provider, domain, {
    beforeConsent: async (deliver) => {
      old = await deliver({
        from: { address: CANDIDATE },
        subject: 'From before you connected',
        text: 'old',
        date: new Date(Date.now() - 3 * DAY_MS).toISOString(),
      });
    },
  });
  const control = (kind: string, body: Record<string, unknown>) =>
    t.sandbox.control.post<Sent>(`/${provider}/mailboxes/${box.recruiter.email}/${kind}`, body);
  const to = [{ address: box.recruiter.email }];
  const refused = await box.deliver({ from: { address: CANDIDATE }, to, subject: 'Refused', text: 'x' });
  await t.sandbox.control.post('/faults', {
    provider,
    endpoint: REFUSED_ENDPOINT[provider],
    messageId: refused.id,
    status: 400,
  });
  const messages: Record<string, { message: Sent; rule: string }> = {
    'mail from before authorization': { message: old as Sent, rule: 'before_authorization' },
    'a draft': {
      message: await control('draft', { to: [{ address: CANDIDATE }], subject: 'Draft', text: 'x' }),
      rule: 'draft_or_spam',
    },
    'mail filed as spam or junk': {
      message: await control('spam', { from: { address: CANDIDATE }, to, subject: 'Spam', text: 'x' }),
      rule: 'draft_or_spam',
    },
    'mail among colleagues': {
      message: await box.deliver({
        from: { address: `colleague@${domain}` },
        to,
        subject: 'Team',
        text: 'x',
      }),
      rule: 'internal_only',
    },
    'mail from a stranger': {
      message: await box.deliver({
        from: { address: 'why.stranger@people.example' },
        to,
        subject: 'Hi',
        text: 'x',
      }),
      rule: 'no_member',
    },
    'mail from a member who hides their address': {
      message: await box.deliver({
        from: { address: 'why.hidden@people.example' },
        to,
        subject: 'Hi',
        text: 'x',
      }),
      rule: 'no_member',
    },
    'a message the provider refuses': { message: refused, rule: 'unreadable' },
  };
  await box.sync();
  await t.sandbox.control.del('/faults');
  return { box, messages };
}

async function why(box: Mailbox, query: string) {
  const response = await t.call(box.recruiter.token, 'GET', `/api/sync/why?${query}`);
  assert.equal(response.statusCode, 200, response.body);
  const { decidedAt, ...answer } = response.json();
  return answer;
}

const byId = (message: Sent) => `providerMessageId=${encodeURIComponent(message.id)}`;
const byMessageId = (message: Sent) => `messageId=${encodeURIComponent(message.messageId)}`;

describe('R19 on both providers', () => {
  it('R19: each reason answers the same on Gmail and Microsoft, by provider id and by Message-ID', async () => {
    const answers = new Map<string, Record<Provider, unknown[]>>();
    for (const provider of PROVIDERS) {
      const { box, messages } = await mailboxOfEveryReason(provider);
      const rowsBefore = await decisionRows(box);
      for (const [situation, { message, rule }] of Object.entries(messages)) {
        const pair = [await why(box, byId(message)), await why(box, byMessageId(message))];
        for (const answer of pair) {
          assert.equal(answer.status, 'skipped', `${provider}, ${situation}: ${JSON.stringify(answer)}`);
          assert.equal(answer.rule, rule, `${provider}, ${situation}`);
        }
        const entry = answers.get(situation) ?? ({} as Record<Provider, unknown[]>);
        entry[provider] = pair;
        answers.set(situation, entry);
      }
      assert.deepEqual(await decisionRows(box), rowsBefore, `${provider}: a lookup stores nothing`);
      const reads = await t.sandbox.control.get<{ ids: string[] }>(
        `/${provider}/mailboxes/${box.recruiter.email}/body-reads`,
      );
      assert.deepEqual(
        reads.ids,
        [],
        `${provider}: no body of mail that is not candidate mail was downloaded`,
      );
    }
    for (const [situation, entry] of answers) {
      assert.deepEqual(entry.google, entry.microsoft, `${situation}: the same answer on both providers`);
    }
  });

  it('R19: on microsoft, a message named by its regular id answers as by its immutable id', async () => {
    const box = await connectedMailbox(t, 'microsoft', 'why-regular.example');
    const junk = await t.sandbox.control.post<Sent & { regularId: string }>(
      `/microsoft/mailboxes/${box.recruiter.email}/spam`,
      { from: { address: 'why.stranger@people.example' }, subject: 'Junk', text: 'x' },
    );
    await box.sync();
    const regular = await why(box, `providerMessageId=${encodeURIComponent(junk.regularId)}`);
    assert.notEqual(junk.regularId, junk.id);
    assert.deepEqual(regular, await why(box, byId(junk)));
    assert.equal(regular.rule, 'draft_or_spam');
  });

  for (const provider of PROVIDERS) {
    it(`R19: on ${provider}, candidate mail sync has not reached yet is told apart, and its body is not downloaded`, async () => {
      const box = await connectedMailbox(t, provider, `why-new-${provider}.example`);
      const fresh = await box.deliver({
        from: { address: CANDIDATE },
        to: [{ address: box.recruiter.email }],
        subject: 'Not synced yet',
        text: 'x',
      });
      for (const query of [byId(fresh), byMessageId(fresh)]) {
        const answer = await why(box, query);
        assert.equal(answer.status, 'unknown');
        assert.match(answer.explanation, /not been synced yet/);
      }
      const reads = await t.sandbox.control.get<{ ids: string[] }>(
        `/${provider}/mailboxes/${box.recruiter.email}/body-reads`,
      );
      assert.deepEqual(reads.ids, [], 'the lookup reads headers only, even of candidate mail');
      assert.deepEqual(await decisionRows(box), []);
      await box.sync();
      assert.equal((await why(box, byMessageId(fresh))).status, 'synced');
    });

    it(`R19: on ${provider}, mail in Trash and ids that are not a message's answer unknown`, async () => {
      const box = await connectedMailbox(t, provider, `why-gone-${provider}.example`);
      const stranger = await box.deliver({
        from: { address: 'why.stranger@people.example' },
        to: [{ address: box.recruiter.email }],
        subject: 'Binned',
        text: 'x',
      });
      await box.act(stranger.id, 'trash');
      for (const query of [
        byId(stranger),
        byMessageId(stranger),
        'providerMessageId=..',
        'providerMessageId=.',
        'providerMessageId=nonexistent',
        'messageId=%20%20',
      ]) {
        const answer = await why(box, query);
        assert.equal(answer.status, 'unknown', `${query}: ${JSON.stringify(answer)}`);
      }
    });

    it(`R19: on ${provider}, once the mailbox is disconnected a message sync never saw is not asked about`, async () => {
      const { box, messages } = await mailboxOfEveryReason(provider);
      const junk = messages['mail filed as spam or junk']?.message as Sent;
      const internal = messages['mail among colleagues']?.message as Sent;
      const disconnected = await t.call(box.recruiter.token, 'DELETE', '/api/connection');
      assert.ok(disconnected.statusCode < 300, disconnected.body);
      await t.sandbox.control.del('/counters');
      const answer = await why(box, byMessageId(junk));
      assert.equal(answer.status, 'unknown');
      assert.match(answer.explanation, /could not be asked/);
      assert.equal(
        (await why(box, byId(internal))).rule,
        'internal_only',
        'what sync recorded still answers',
      );
      const rows = (
        await t.sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
          `/counters?provider=${provider}&user=${box.recruiter.email}`,
        )
      ).rows;
      assert.deepEqual(rows, [], 'no provider call for a disconnected mailbox');
    });

    it(`R19: on ${provider}, a lookup of a message sync never saw costs at most two calls about it`, async () => {
      const { box, messages } = await mailboxOfEveryReason(provider);
      const junk = messages['mail filed as spam or junk']?.message as Sent;
      for (const [query, most] of [
        [byId(junk), 1],
        [byMessageId(junk), 2],
      ] as const) {
        await t.sandbox.control.del('/counters');
        const answer = await why(box, query);
        assert.equal(answer.rule, 'draft_or_spam', JSON.stringify(answer));
        const rows = (
          await t.sandbox.control.get<{ rows: { method: string; calls: number }[] }>(
            `/counters?provider=${provider}&user=${box.recruiter.email}`,
          )
        ).rows.filter((row) => /messages\.(get|list)$/.test(row.method));
        const calls = rows.reduce((sum, row) => sum + row.calls, 0);
        assert.ok(calls >= 1 && calls <= most, `${query}: ${JSON.stringify(rows)}`);
      }
    });

    it(`R19: on ${provider}, a provider that asks us to wait makes the lookup a 503 with its Retry-After`, async () => {
      const { box, messages } = await mailboxOfEveryReason(provider);
      const junk = messages['mail filed as spam or junk']?.message as Sent;
      for (const endpoint of [SEARCH_ENDPOINT[provider], HEADERS_ENDPOINT[provider]]) {
        await t.sandbox.control.post('/faults', { provider, endpoint, status: 429, retryAfterSeconds: 30 });
      }
      try {
        for (const query of [byMessageId(junk), byId(junk)]) {
          const response = await t.call(box.recruiter.token, 'GET', `/api/sync/why?${query}`);
          assert.equal(response.statusCode, 503, response.body);
          assert.equal(response.headers['retry-after'], '30');
          assert.equal(response.json().error.code, 'unavailable');
        }
      } finally {
        await t.sandbox.control.del('/faults');
      }
    });

    it(`R19: on ${provider}, a Message-ID that tries to widen the provider's search finds nothing`, async () => {
      const { box, messages } = await mailboxOfEveryReason(provider);
      const junk = messages['mail filed as spam or junk']?.message as Sent;
      const bare = junk.messageId.slice(1, -1);
      for (const hostile of [
        `${junk.messageId} OR in:anywhere`,
        `<x@y> OR rfc822msgid:${junk.messageId}`,
        `{<x@y> ${junk.messageId}}`,
        `<x@y>' or internetMessageId eq '${junk.messageId}`,
        `<${bare}>' or true or '`,
        `${junk.messageId.toUpperCase()}x`,
      ]) {
        const answer = await why(box, `messageId=${encodeURIComponent(hostile)}`);
        assert.equal(answer.status, 'unknown', `${hostile}: ${JSON.stringify(answer)}`);
      }
    });
  }
});

async function decisionRows(box: Mailbox) {
  return t.database.db
    .selectFrom('sync_decisions')
    .select(['provider_message_id', 'rule'])
    .where('connection_id', '=', box.connectionId)
    .orderBy('provider_message_id')
    .execute();
}
