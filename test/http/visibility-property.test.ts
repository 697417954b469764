import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { NewMessage } from '../../src/db/mail.ts';
import { storeMessages } from '../../src/db/mail.ts';
import { accessOf, VISIBILITIES, type Visibility } from '../../src/domain/visibility.ts';
import type { Person } from '../support/app.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox } from '../support/sync.ts';
import { assertSeenAs, CONTENT_KEYS, rowsFromDatabase, viewOf } from '../support/visibility.ts';

const t = await providerTest();

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
  owner: fc.constantFrom(0, 1),
  messages: fc.integer({ min: 1, max: 3 }),
  word: fc.stringMatching(/^[a-z]{3,8}$/),
  changes: fc.array(
    fc.record({ actor: fc.integer({ min: 0, max: 3 }), level: fc.constantFrom(...VISIBILITIES) }),
    { maxLength: 4 },
  ),
});

describe('R15: no read returns content its viewer may not see', () => {
  it('R15 property: random threads, levels and viewers; metadata threads never show subject, snippet, body or attachments', async () => {
    const box = await connectedMailbox(t, 'google', 'property.example');
    const colleague = await t.user(box.orgId);
    const owners = [
      { person: box.recruiter, connectionId: box.connectionId },
      { person: colleague, connectionId: await connect(colleague) },
    ];
    // Viewers by index: the two owners, an admin, and a recruiter of another organization.
    const outsider = await t.organization();
    const viewers = [box.recruiter, colleague, box.admin, outsider.recruiter];
    const viewerOrgs = [box.orgId, box.orgId, box.orgId, outsider.orgId];
    const candidate = await t.member({ emails: ['prop.candidate@candidates.example'] });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(threadSpec, { minLength: 1, maxLength: 4 }), async (specs) => {
        run += 1;
        await t.database.db.deleteFrom('threads').where('org_id', '=', box.orgId).execute();
        const threads: {
          id: string;
          tag: string;
          ownerUserId: string;
          level: Visibility;
          secrets: string[];
          count: number;
        }[] = [];
        for (const [index, spec] of specs.entries()) {
          const tag = `${run}-${index}-${spec.word}`;
          const owner = owners[spec.owner];
          assert.ok(owner);
          const messages: NewMessage[] = Array.from({ length: spec.messages }, (_, n) => ({
            providerThreadId: `thread-${tag}`,
            providerMessageId: `pmid-${tag}-${n}`,
            rfcMessageId: `<rfc-${tag}-${n}@candidates.example>`,
            inReplyTo: null,
            references: [],
            truncated: false,
            direction: 'received',
            from: { address: 'prop.candidate@candidates.example', name: 'Prop Candidate' },
            to: [{ address: owner.person.email }],
            cc: [],
            bcc: [],
            subject: `subject-${tag}`,
            sentAt: new Date(Date.UTC(2026, 0, 1, index, n)),
            receivedAt: new Date(Date.UTC(2026, 0, 1, index, n)),
            snippet: `snippet-${tag}`,
            bodyText: `body-${tag}`,
            bodyHtml: `<p>html-${tag}</p>`,
            attachments: [
              {
                filename: `file-${tag}.pdf`,
                contentType: 'application/pdf',
                size: 9,
                disposition: 'attachment',
              },
            ],
            memberIds: [candidate.id],
          }));
          await t.database.db
            .transaction()
            .execute((trx) =>
              storeMessages(
                trx,
                box.orgId,
                { id: owner.connectionId, ownerUserId: owner.person.id },
                messages,
                t.context.searchLanguage,
              ),
            );
          const { id } = await t.database.db
            .selectFrom('threads')
            .select('id')
            .where('org_id', '=', box.orgId)
            .where('provider_thread_id', '=', `thread-${tag}`)
            .executeTakeFirstOrThrow();
          let level: Visibility = 'private';
          for (const change of spec.changes) {
            const actor = viewers[change.actor];
            assert.ok(actor);
            const sameOrg = change.actor < 3;
            const expected: number =
              actor.id === owner.person.id ? 200 : !sameOrg || level === 'private' ? 404 : 403;
            const answer = await t.call(actor.token, 'PUT', `/api/threads/${id}/visibility`, {
              visibility: change.level,
            });
            assert.equal(answer.statusCode, expected, `${change.actor} sets ${change.level} on ${level}`);
            if (expected === 200) level = change.level;
          }
          const secrets = ['subject', 'snippet', 'body', 'html', 'file', 'rfc', 'pmid'].map(
            (kind) => `${kind}-${tag}`,
          );
          threads.push({ id, tag, ownerUserId: owner.person.id, level, secrets, count: spec.messages });
        }
        for (const [index, viewer] of viewers.entries()) {
          const view = await viewOf(
            t,
            viewer.token,
            threads.map((thread) => thread.id),
          );
          for (const thread of threads) {
            const access =
              index === 3
                ? 'none'
                : accessOf({ ownerUserId: thread.ownerUserId, visibility: thread.level }, viewer.id);
            assertSeenAs(view, thread.id, access, thread.secrets);
            if (access !== 'none') assert.equal(view.listed.get(thread.id)?.messageCount, thread.count);
          }
          // The same reads at the db layer: what the viewer may not see is not even selected.
          const raw = await rowsFromDatabase(
            t.database.db,
            { orgId: viewerOrgs[index] ?? '', userId: viewer.id },
            threads.map((thread) => thread.id),
          );
          for (const thread of threads) {
            if (
              index !== 3 &&
              accessOf({ ownerUserId: thread.ownerUserId, visibility: thread.level }, viewer.id) === 'full'
            )
              continue;
            for (const secret of thread.secrets)
              assert.equal(raw.includes(secret), false, `${secret} left the database`);
          }
          // Search, in both scopes: words find a thread only where its content is seen; the participant
          // finds every thread the viewer sees, a metadata one without any content.
          for (const scope of ['/api/search', `/api/members/${candidate.id}/history/search`]) {
            const search = async (q: string) => {
              const answer = await t.call(
                viewer.token,
                'GET',
                `${scope}?q=${encodeURIComponent(q)}&limit=100`,
              );
              assert.equal(answer.statusCode, 200, answer.body);
              const hits: Record<string, unknown>[] = answer.json().hits;
              return { hits, body: answer.body };
            };
            const byParticipant = await search('prop.candidate@candidates.example');
            for (const thread of threads) {
              const access =
                index === 3
                  ? 'none'
                  : accessOf({ ownerUserId: thread.ownerUserId, visibility: thread.level }, viewer.id);
              const found = byParticipant.hits.filter((hit) => hit.threadId === thread.id);
              assert.equal(found.length, access === 'none' ? 0 : thread.count, `${scope} by participant`);
              for (const hit of found) {
                assert.equal(hit.access, access);
                if (access === 'metadata') {
                  for (const key of ['messageId', ...CONTENT_KEYS]) assert.equal(key in hit, false, key);
                }
              }
              const byWords = await search(`body-${thread.tag}`);
              assert.deepEqual(
                byWords.hits.map((hit) => hit.threadId),
                access === 'full' ? Array(thread.count).fill(thread.id) : [],
                `${scope} by words`,
              );
              if (access === 'full') continue;
              for (const secret of thread.secrets) {
                assert.equal(byParticipant.body.includes(secret), false, `search reveals ${secret}`);
                assert.equal(byWords.body.includes(secret), false, `search reveals ${secret}`);
              }
            }
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
