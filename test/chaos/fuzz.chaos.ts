/**
 * Chaos scenario 9: a long fuzz (fast-check) against the running app (listening on loopback, the worker
 * running, push on), reusing the test suite's generators (test/support/fuzz-*.ts) with more runs:
 * 1. hostile MIME delivered into a Google and a Microsoft mailbox, from a candidate, among plain candidate
 *    mail: each hostile message ends stored or decided against (R19), never holds up the mailbox; the
 *    plain ones are the scenario's expected messages; the owner reads every thread without a 5xx;
 * 2. hostile webhook requests (Graph batches, Gmail pushes, any body under any content type);
 * 3. hostile requests to every API route as each kind of caller.
 * (The app keeps its rate limits: a 429 is an answer it meant to give.) No answer may be a 5xx, the app must keep answering, and no private thread may be seen by a colleague or
 * an admin, before the API fuzz and after it.
 *
 *   CHAOS_FUZZ_RUNS=1000 npm run chaos -- fuzz
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  chaosProviders,
  chaosTeam,
  deliverInto,
  envNumber,
  firstSync,
  logger,
  report,
  SEED,
  seenBy,
  settled,
  sum,
  type Tally,
  type Team,
  tally,
} from '../support/chaos.ts';
import { operations, request } from '../support/fuzz-api.ts';
import { hostileMessage } from '../support/fuzz-mime.ts';
import { bigInts, CONTENT_TYPES, webhookArbitraries } from '../support/fuzz-webhooks.ts';
import { liveTest } from '../support/live.ts';

const SCENARIO = 'fuzz';
const RUNS = envNumber('CHAOS_FUZZ_RUNS', 1000);
const live = await liveTest({ pollQuietMs: 10_000 });
const log = logger(SCENARIO);

/** Calls the running app over HTTP (node:http, which sends a body with any method, as raw clients can). */
function call(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; text: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      `${live.publicUrl}${url}`,
      { method, headers, timeout: 60_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: response.headers['retry-after'],
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe(`chaos: ${SCENARIO}`, () => {
  it(`${RUNS} runs each of hostile MIME, webhook and API requests against the running app`, {
    timeout: 1_800_000,
  }, async () => {
    const teams: Team[] = [];
    const tallies: Tally[] = [];
    let errors = 0;
    // 1. Hostile MIME, synced by the running worker.
    for (const provider of chaosProviders()) {
      const team = await chaosTeam(live, provider, 'fuzz', { candidates: 2 });
      await firstSync(live, team, { push: true });
      teams.push(team);
      const samples = fc.sample(hostileMessage(team.candidates[0]?.address), { numRuns: RUNS, seed: SEED });
      let refused = 0;
      for (const [i, raw] of samples.entries()) {
        try {
          const sent = await team.box.deliver({ raw: raw.toString('base64') });
          team.ledger.either({ id: sent.id, messageId: sent.messageId });
        } catch {
          refused += 1; // The sandbox's own parser refused it (as a provider would refuse to accept it).
        }
        if (i % 10 === 0) await deliverInto(team, 1, { candidateEvery: 1, start: i, label: 'plain ' });
      }
      log(
        `${provider}: ${samples.length - refused} hostile messages delivered (${refused} refused by the sandbox), ${team.ledger.expected.size} plain ones`,
      );
      await settled(live.database.db, team, 900_000, logger(SCENARIO, provider));
      const threads = await readEverything(team);
      errors += threads.errors;
      log(
        `${provider}: the owner read ${threads.threads} threads and ${threads.messages} messages, ${threads.errors} 5xx`,
      );
      tallies.push(await tally(live, team));
    }

    // 2. Hostile webhook requests.
    const microsoft = teams.find((team) => team.box.provider === 'microsoft');
    const google = teams.find((team) => team.box.provider === 'google');
    const { subscriptions } = await live.sandbox.control.get<{
      subscriptions: { id: string; user: string; clientState: string }[];
    }>('/microsoft/subscriptions');
    const subscription = subscriptions.find((entry) => entry.user === microsoft?.box.recruiter.email) ?? {
      id: 'none',
      clientState: 'none',
    };
    const target = { subscriptionId: subscription.id, clientState: subscription.clientState };
    const hooks = webhookArbitraries({
      graph: target,
      other: target,
      gmail: { box: { recruiter: { email: google?.box.recruiter.email ?? 'nobody@fuzz.example' } } },
      token: 'not-a-google-token',
    });
    let webhookCalls = 0;
    await fc.assert(
      fc.asyncProperty(
        hooks.route,
        hooks.query,
        hooks.authorization,
        fc.oneof(hooks.jsonBody, hooks.graphBody, hooks.gmailBody),
        fc.constantFrom(...CONTENT_TYPES),
        async (path, search, authorization, body, contentType) => {
          webhookCalls += 1;
          const answer = await call(
            'POST',
            `${path}${search}`,
            { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
            JSON.stringify(body, bigInts) ?? '',
          );
          assert.ok(answer.status < 500, `${path}${search}: ${answer.status} ${answer.text.slice(0, 200)}`);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    log(`${webhookCalls} hostile webhook requests, none answered 5xx`);

    // 3. Hostile API requests, route by route, as each kind of caller.
    const member = await live.member();
    const owner = teams[0] as Team;
    const callers = {
      recruiter: owner.box.recruiter.token,
      colleague: owner.colleague.token,
      admin: owner.admin.token,
      member: member.token,
      operator: await live.operator(),
      forger: `tsu_${'0'.repeat(16)}_${'A'.repeat(43)}`,
    };
    const all = await operations(live);
    // Requests that would end the scenario's own mailboxes are left to the regular fuzz test.
    const safe = all.filter(
      (operation) => !(operation.method === 'DELETE' && operation.path === '/api/connection'),
    );
    const perOperation = Math.max(4, Math.ceil((RUNS * 4) / safe.length));
    let apiCalls = 0;
    for (const operation of safe) {
      await fc.assert(
        fc.asyncProperty(
          request(operation, Object.keys(callers) as (keyof typeof callers)[]),
          async (input) => {
            apiCalls += 1;
            let index = 0;
            const path = operation.path.replace(/\{[^}]+\}/g, () => input.params[index++] ?? '');
            const query = input.query.map(([key, value]) => `${key}=${value}`).join('&');
            const answer = await call(
              operation.method,
              query ? `${path}?${query}` : path,
              {
                authorization: `Bearer ${callers[input.caller]}`,
                ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              input.body,
            );
            assert.ok(
              answer.status < 500,
              `${operation.method} ${path}?${query} as ${input.caller}: ${answer.status} ${answer.text.slice(0, 300)}`,
            );
          },
        ),
        { numRuns: perOperation, seed: SEED },
      );
    }
    log(`${apiCalls} hostile API requests over ${safe.length} operations, none answered 5xx`);
    const health = await call('GET', '/readyz', {});
    assert.equal(health.status, 200, `the app still answers: ${health.text}`);
    // Nothing the fuzz did made a private thread visible to anyone else. Asked of a colleague and an admin
    // who took no part (the fuzz's callers have spent their own limits), once the forger's failed
    // authentications no longer block this address (a 429 with Retry-After, as the app means to answer).
    let after = 0;
    for (const team of teams) {
      const colleague = await live.user(team.box.orgId);
      const admin = await live.user(team.box.orgId, 'admin');
      await unblocked(colleague.token);
      after += (await seenBy(live, colleague.token, team)) + (await seenBy(live, admin.token, team));
    }
    const total = sum(tallies);
    if (after > 0) total.notes.push(`${after} private threads or messages seen after the API fuzz`);
    report(SCENARIO, { ...total, leaked: total.leaked + after });
    assert.equal(errors, 0, 'the owner read every thread without a 5xx');
  });
});

/** Waits out the address's block for failed authentications (at most two minutes), then answers. */
async function unblocked(token: string): Promise<void> {
  for (let waits = 0; waits < 3; waits += 1) {
    const answer = await call('GET', '/api/threads?limit=1', { authorization: `Bearer ${token}` });
    if (answer.status !== 429) return;
    const seconds = Number(answer.retryAfter ?? 60);
    log(`this address is blocked for ${seconds} s after the forger's failed authentications; waiting`);
    await new Promise((resolve) => setTimeout(resolve, (seconds + 1) * 1000));
  }
  throw new Error('the address stayed blocked for failed authentications');
}

/** The owner reads every thread and message of the mailbox; answers the counts and the 5xx. */
async function readEverything(team: Team) {
  let threads = 0;
  let messages = 0;
  let errors = 0;
  let cursor: string | null = null;
  do {
    const page = await live.call(
      team.box.recruiter.token,
      'GET',
      `/api/threads?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.statusCode >= 500) return { threads, messages, errors: errors + 1 };
    const json: { threads: { id: string }[]; nextCursor: string | null } = page.json();
    for (const thread of json.threads) {
      threads += 1;
      const detail = await live.call(team.box.recruiter.token, 'GET', `/api/threads/${thread.id}`);
      if (detail.statusCode >= 500) errors += 1;
      else if (detail.statusCode === 200) {
        for (const message of (detail.json() as { messages: { id: string }[] }).messages) {
          messages += 1;
          const one = await live.call(team.box.recruiter.token, 'GET', `/api/messages/${message.id}`);
          if (one.statusCode >= 500) errors += 1;
        }
      }
    }
    cursor = json.nextCursor;
  } while (cursor);
  return { threads, messages, errors };
}
