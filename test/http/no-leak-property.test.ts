/**
 * R15/R16 over the whole API: random organizations' threads, visibility changes, erasures and viewers,
 * then every read route of the OpenAPI document called by every viewer with every id and word it could
 * guess. A thread's words (subject, snippet, body, HTML, attachment name, Message-ID, provider id, Bcc) may
 * appear in an answer only to a viewer who may read its content: its owner, the organization when it is
 * shared in full, the member it involves (their own data, R16's export). A `metadata` thread shows its
 * existence and never its words; an erased thread shows nothing to anyone. Routes are read from the
 * document (R19's lookup asked about every stored message by both ids), so a route added later is walked too; one that needs a parameter this test cannot supply
 * fails the test until it is taught the parameter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type NewMessage, storeMessages } from '../../src/db/mail.ts';
import { VISIBILITIES, type Visibility } from '../../src/domain/visibility.ts';
import type { Person } from '../support/app.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';

const unlimited = { authFailures: 1e6, tokenMints: 1e6, connectStarts: 1e6, webhooks: 1e6, whyLookups: 1e6 };
const t = await providerTest({ config: { rateLimits: unlimited } });

/** Connects one more user of the organization to the Google sandbox; answers the connection id. */
async function connect(person: Person): Promise<string> {
  await t.sandbox.control.post('/google/users', { email: person.email, name: 'Colleague' });
  const started = (await t.call(person.token, 'POST', '/api/connection')).json();
  const outcome = await consent(t.app, started.url, {
    token: person.token,
    email: person.email,
    decision: 'allow',
  });
  assert.equal(outcome.status, 200, outcome.html);
  return (await t.call(person.token, 'GET', '/api/connection')).json().connection.id;
}

const threadSpec = fc.record({
  /** 0, 1: the two recruiters of organization A; 2: the recruiter of organization B. */
  owner: fc.constantFrom(0, 1, 2),
  messages: fc.integer({ min: 1, max: 3 }),
  /** Indexes into the run's members: the sender, and maybe one on copy. */
  members: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }),
  word: fc.stringMatching(/^[a-z]{4,8}$/),
  levels: fc.array(fc.constantFrom(...VISIBILITIES), { maxLength: 3 }),
});

const eventSpec = fc.oneof(
  fc.record({ kind: fc.constant('erase_thread' as const), thread: fc.nat() }),
  fc.record({ kind: fc.constant('erase_member' as const), member: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    kind: fc.constant('share' as const),
    thread: fc.nat(),
    level: fc.constantFrom(...VISIBILITIES),
  }),
);

interface Viewer {
  name: string;
  token: string | undefined;
  /** May this viewer read the content of the thread? */
  mayRead(thread: ThreadState): boolean;
}

interface ThreadState {
  id: string;
  orgIndex: 0 | 1;
  ownerIndex: number;
  level: Visibility;
  memberIndexes: number[];
  erased: boolean;
  secrets: string[];
  messageIds: string[];
}

/** Path templates of the document's GET routes, with the parameters they need. */
async function readRoutes(): Promise<{ path: string; required: string[] }[]> {
  const doc = (await t.call(undefined, 'GET', '/api/openapi.json')).json();
  const routes: { path: string; required: string[] }[] = [];
  for (const [path, item] of Object.entries<Record<string, { parameters?: unknown[] }>>(doc.paths)) {
    const get = item.get;
    if (!get) continue;
    const parameters = (get.parameters ?? []) as { name: string; in: string; required?: boolean }[];
    routes.push({
      path,
      required: parameters.filter((p) => p.in === 'query' && p.required).map((p) => p.name),
    });
  }
  return routes;
}

/** Routes that never carry synced mail, or that speak to a provider; each one says why it is left out. */
const NOT_MAIL: Record<string, string> = {
  '/healthz': 'liveness',
  '/readyz': 'readiness',
  '/metrics': 'counters only, behind its own token',
  '/oauth/callback': 'the provider’s redirect',
  '/oauth/start': 'a browser page',
  '/oauth/admin-consent/callback': 'the provider’s redirect',
};

describe('R15/R16: no route shows a thread’s words to a viewer who may not read them', () => {
  it('R15 R16 property: random threads, shares and erasures over two organizations; every GET route, every viewer', async () => {
    const boxA = await connectedMailbox(t, 'google', 'leak-a.example');
    const colleague = await t.user(boxA.orgId);
    const boxB = await connectedMailbox(t, 'google', 'leak-b.example');
    const owners = [
      { orgIndex: 0 as const, orgId: boxA.orgId, person: boxA.recruiter, connectionId: boxA.connectionId },
      { orgIndex: 0 as const, orgId: boxA.orgId, person: colleague, connectionId: await connect(colleague) },
      { orgIndex: 1 as const, orgId: boxB.orgId, person: boxB.recruiter, connectionId: boxB.connectionId },
    ];
    const routes = await readRoutes();
    const unknown = routes
      .filter((route) => !(route.path in NOT_MAIL))
      .flatMap((route) =>
        route.required.filter((name) => !(name in QUERY_POOLS)).map((n) => `${route.path}?${n}`),
      );
    assert.deepEqual(unknown, [], 'a read route needs a parameter this test cannot supply: teach it');
    const mailRoutes = routes.filter((route) => !(route.path in NOT_MAIL));

    let run = 0;
    let contentSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(threadSpec, { minLength: 1, maxLength: 4 }),
        fc.array(eventSpec, { maxLength: 5 }),
        async (specs, events) => {
          run += 1;
          await t.database.db.deleteFrom('threads').where('org_id', 'in', [boxA.orgId, boxB.orgId]).execute();
          const members: { id: string; token: string; address: string }[] = [];
          for (let index = 0; index < 3; index += 1) {
            const address = `leak${run}.${index}@candidates.example`;
            members.push({ ...(await t.member({ emails: [address] })), address });
          }
          const threads: ThreadState[] = [];
          for (const [index, spec] of specs.entries()) {
            const tag = `${spec.word}${run}x${index}`;
            const owner = owners[spec.owner];
            assert.ok(owner);
            const involved = spec.members.map((m) => members[m]).filter((m) => m !== undefined);
            const [sender, ...copied] = involved;
            assert.ok(sender);
            const messages: NewMessage[] = Array.from({ length: spec.messages }, (_, n) => ({
              providerThreadId: `thread-${tag}`,
              providerMessageId: `pmid${tag}n${n}`,
              rfcMessageId: `<rfc${tag}n${n}@candidates.example>`,
              inReplyTo: null,
              references: [],
              truncated: false,
              direction: 'received',
              from: { address: sender.address, name: 'Leak Candidate' },
              to: [{ address: owner.person.email }],
              cc: copied.map((m) => ({ address: m.address })),
              // Hidden by the sender from the other recipients: content, not a participant everyone sees.
              bcc: [{ address: `bcc${tag}@hidden.example` }],
              subject: `subj${tag}`,
              sentAt: new Date(Date.UTC(2026, 0, 1, index, n)),
              receivedAt: new Date(Date.UTC(2026, 0, 1, index, n)),
              snippet: `snip${tag}`,
              bodyText: `body${tag} text`,
              bodyHtml: `<p>html${tag}</p>`,
              attachments: [
                {
                  filename: `file${tag}.pdf`,
                  contentType: 'application/pdf',
                  size: 9,
                  disposition: 'attachment',
                },
              ],
              memberIds: involved.map((m) => m.id),
            }));
            await t.database.db
              .transaction()
              .execute((trx) =>
                storeMessages(
                  trx,
                  owner.orgId,
                  { id: owner.connectionId, ownerUserId: owner.person.id },
                  messages,
                  t.context.searchLanguage,
                ),
              );
            const { id } = await t.database.db
              .selectFrom('threads')
              .select('id')
              .where('org_id', '=', owner.orgId)
              .where('provider_thread_id', '=', `thread-${tag}`)
              .executeTakeFirstOrThrow();
            const messageIds = (
              await t.database.db
                .selectFrom('messages')
                .select('id')
                .where('org_id', '=', owner.orgId)
                .where('thread_id', '=', id)
                .execute()
            ).map((row) => row.id);
            const thread: ThreadState = {
              id,
              orgIndex: owner.orgIndex,
              ownerIndex: spec.owner,
              level: 'private',
              memberIndexes: spec.members,
              erased: false,
              secrets: ['subj', 'snip', 'body', 'html', 'file', 'rfc', 'pmid', 'bcc'].map(
                (kind) => `${kind}${tag}`,
              ),
              messageIds,
            };
            for (const level of spec.levels) {
              const answer = await t.call(owner.person.token, 'PUT', `/api/threads/${id}/visibility`, {
                visibility: level,
              });
              assert.equal(answer.statusCode, 200, answer.body);
              thread.level = level;
            }
            threads.push(thread);
          }

          for (const event of events) {
            if (event.kind === 'erase_member') {
              const member = members[event.member];
              assert.ok(member);
              const answer = await t.call(member.token, 'POST', '/api/me/erasure');
              assert.equal(answer.statusCode, 200, answer.body);
              for (const thread of threads)
                if (thread.memberIndexes.includes(event.member)) thread.erased = true;
              continue;
            }
            const thread = threads[event.thread % threads.length];
            assert.ok(thread);
            const owner = owners[thread.ownerIndex];
            assert.ok(owner);
            if (event.kind === 'erase_thread') {
              const answer = await t.call(owner.person.token, 'DELETE', `/api/threads/${thread.id}`);
              assert.equal(answer.statusCode, thread.erased ? 404 : 200, answer.body);
              thread.erased = true;
            } else {
              const answer = await t.call(owner.person.token, 'PUT', `/api/threads/${thread.id}/visibility`, {
                visibility: event.level,
              });
              assert.equal(answer.statusCode, thread.erased ? 404 : 200, answer.body);
              if (!thread.erased) thread.level = event.level;
            }
          }

          const sameOrgUser = (ownerIndex: number, orgIndex: 0 | 1) => (thread: ThreadState) =>
            thread.orgIndex === orgIndex &&
            (thread.ownerIndex === ownerIndex || thread.level === 'organization');
          const viewers: Viewer[] = [
            { name: 'recruiter A', token: boxA.recruiter.token, mayRead: sameOrgUser(0, 0) },
            { name: 'colleague A', token: colleague.token, mayRead: sameOrgUser(1, 0) },
            { name: 'admin A', token: boxA.admin.token, mayRead: sameOrgUser(-1, 0) },
            { name: 'recruiter B', token: boxB.recruiter.token, mayRead: sameOrgUser(2, 1) },
            { name: 'admin B', token: boxB.admin.token, mayRead: sameOrgUser(-1, 1) },
            ...members.map((member, index) => ({
              name: `member ${index}`,
              token: member.token,
              mayRead: (thread: ThreadState) => thread.memberIndexes.includes(index),
            })),
            { name: 'anonymous', token: undefined, mayRead: () => false },
          ];

          const ids = {
            threads: threads.map((thread) => thread.id),
            messages: threads.flatMap((thread) => thread.messageIds),
            members: members.map((member) => member.id),
          };
          const pools: Record<QueryPool, string[]> = {
            q: [...threads.flatMap((thread) => thread.secrets.slice(0, 3)), ...members.map((m) => m.address)],
            email: members.map((m) => m.address),
          };
          const urls = mailRoutes.flatMap((route) => urlsFor(route, ids, pools));
          // R19's lookup takes either id, both optional: ask it about every stored message, both ways.
          for (const thread of threads) {
            const tag = thread.secrets[0]?.slice('subj'.length) ?? '';
            for (const [n] of thread.messageIds.entries()) {
              urls.push(
                `/api/sync/why?messageId=${encodeURIComponent(`<rfc${tag}n${n}@candidates.example>`)}`,
              );
              urls.push(`/api/sync/why?providerMessageId=pmid${tag}n${n}`);
            }
          }

          for (const viewer of viewers) {
            for (const url of urls) {
              const answer = await t.call(viewer.token, 'GET', url);
              assert.ok(
                answer.statusCode < 500,
                `${viewer.name} GET ${url}: ${answer.statusCode} ${answer.body}`,
              );
              // What the viewer asked with (an id they typed) may come back; nothing else of the thread may.
              let body = answer.body;
              for (const value of new URL(url, 'http://x').searchParams.values()) {
                body = body.replaceAll(value, '').replaceAll(JSON.stringify(value).slice(1, -1), '');
              }
              for (const thread of threads) {
                const allowed = !thread.erased && viewer.mayRead(thread);
                for (const secret of thread.secrets) {
                  const shown = body.includes(secret);
                  if (shown && allowed) contentSeen += 1;
                  assert.ok(
                    allowed || !shown,
                    `${viewer.name} GET ${url} shows ${secret} of a ${thread.erased ? 'erased' : thread.level} thread: ${answer.body.slice(0, 400)}`,
                  );
                }
              }
            }
          }
        },
      ),
      { numRuns: 12 },
    );
    // The walk reaches content where it may: the property is not true of an API that shows nothing.
    assert.ok(contentSeen > 0, 'no viewer ever saw content: the walk reads nothing');
  });
});

/** Required query parameters this test can fill: a thread's words or a member's address, and addresses. */
const QUERY_POOLS = { q: true, email: true } as const;
type QueryPool = keyof typeof QUERY_POOLS;

/** Every URL of a route: each path id from the pool its path names, each value for a required query parameter. */
function urlsFor(
  route: { path: string; required: string[] },
  ids: { threads: string[]; messages: string[]; members: string[] },
  pools: Record<QueryPool, string[]>,
): string[] {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  let paths = [route.path];
  if (names.length > 0) {
    const pool = route.path.startsWith('/api/threads/')
      ? ids.threads
      : route.path.startsWith('/api/messages/')
        ? ids.messages
        : route.path.startsWith('/api/members/')
          ? ids.members
          : [...ids.threads, ...ids.messages, ...ids.members];
    paths = pool.map((id) => route.path.replace(/\{\w+\}/g, id));
  }
  for (const name of route.required as QueryPool[]) {
    paths = paths.flatMap((path) =>
      pools[name].map(
        (value) => `${path}${path.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`,
      ),
    );
  }
  return paths;
}
