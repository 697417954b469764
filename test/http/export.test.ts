import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { type KyselyPlugin, sql } from 'kysely';
import { exportMember } from '../../src/services/export.ts';
import { SUPPRESSION } from '../../src/sync/decide.ts';
import { onCleanup } from '../support/cleanup.ts';
import { providerTest } from '../support/providers.ts';
import { connectedMailbox, type Mailbox } from '../support/sync.ts';

const t = await providerTest();
const { db } = t.database;

const unique = () => randomUUID().slice(0, 8);

interface Exported {
  exportId: string;
  member: { id: string; emails: string[] };
  erasures: { id: string; requestedBy: string; organizationIds: string[]; messages: number }[];
  suppressions: { addresses: number; since: string | null; lastAt: string | null };
  messages: {
    id: string;
    organization: { id: string; name: string };
    owner: { name: string };
    visibility: string;
    direction: string;
    from: { address: string } | null;
    subject: string;
    bodyText: string;
    attachments: { filename: string; contentType: string; size: number }[];
  }[];
  inmail: { organization: { id: string }; body: string; sender: string; conversation: { subject: string } }[];
  summary: { messages: number; inmailMessages: number; organizations: number };
}

const mail = (box: Mailbox, address: string, tag: string) =>
  box.deliver({
    from: { name: 'Ada Candidate', address },
    to: [{ address: box.recruiter.email }],
    subject: `subject-${tag}`,
    text: `body-${tag}`,
    attachments: [
      {
        filename: `file-${tag}.pdf`,
        contentType: 'application/pdf',
        contentBase64: Buffer.from(`pdf-${tag}`).toString('base64'),
      },
    ],
  });

/** Stored rows of the audit log and the export records that name `needle` anywhere. */
async function recordsNaming(needle: string): Promise<string[]> {
  const pattern = `%${needle.toLowerCase()}%`;
  const { rows } = await sql<{ kind: string }>`
    select 'audit' as kind from audit_events a where lower(a::text) like ${pattern}
    union all select 'export' from exports e where lower(e::text) like ${pattern}`.execute(db);
  return rows.map((row) => row.kind);
}

describe('R16: export (a data-subject access request)', () => {
  it('R16: a member downloads their synced mail of two organizations whatever its visibility, and their InMail; never another member’s; the operator on their behalf; audited without content', async () => {
    const google = await connectedMailbox(t, 'google', `export-g-${unique()}.example`);
    const microsoft = await connectedMailbox(t, 'microsoft', `export-m-${unique()}.example`);
    const [a1, a2, b1] = [
      `ada.${unique()}@candidates.example`,
      `ada.${unique()}@home.example`,
      `bob.${unique()}@candidates.example`,
    ];
    const ada = await t.member({ emails: [a1, a2] });
    const bob = await t.member({ emails: [b1] });
    const tag = unique();
    await mail(google, a1, `g-${tag}`);
    await mail(microsoft, a2, `m-${tag}`);
    await mail(google, b1, `bob-${tag}`);
    await google.sync();
    await microsoft.sync();
    const shared = (await microsoft.threads()).find((thread) => thread.subject === `subject-m-${tag}`);
    assert.ok(shared);
    const level = await t.call(microsoft.recruiter.token, 'PUT', `/api/threads/${shared.id}/visibility`, {
      visibility: 'metadata',
    });
    assert.equal(level.statusCode, 200);
    const inmail = await t.call(google.recruiter.token, 'POST', '/api/inmail/conversations', {
      memberId: ada.id,
      subject: `inmail-${tag}`,
      body: `inmail-body-${tag}`,
    });
    assert.equal(inmail.statusCode, 201, inmail.body);

    const response = await t.call(ada.token, 'GET', '/api/me/export');
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.match(
      String(response.headers['content-disposition']),
      /^attachment; filename="talentsync-export-/,
    );
    assert.equal(response.headers['cache-control'], 'no-store');
    const exported: Exported = response.json();
    assert.equal(exported.member.id, ada.id);
    const bySubject = new Map(exported.messages.map((message) => [message.subject, message]));
    assert.deepEqual([...bySubject.keys()].sort(), [`subject-g-${tag}`, `subject-m-${tag}`]);
    const fromGoogle = bySubject.get(`subject-g-${tag}`);
    const fromMicrosoft = bySubject.get(`subject-m-${tag}`);
    assert.equal(fromGoogle?.organization.id, google.orgId);
    assert.match(fromGoogle?.organization.name ?? '', /^Org export-g-/);
    assert.equal(fromGoogle?.owner.name, 'Test member');
    assert.equal(fromGoogle?.visibility, 'private', 'private threads too');
    assert.equal(fromGoogle?.direction, 'received');
    assert.equal(fromGoogle?.from?.address, a1);
    assert.match(fromGoogle?.bodyText ?? '', new RegExp(`body-g-${tag}`));
    assert.deepEqual(
      fromGoogle?.attachments.map((a) => [a.filename, a.contentType, a.size > 0]),
      [[`file-g-${tag}.pdf`, 'application/pdf', true]],
    );
    assert.equal(fromMicrosoft?.organization.id, microsoft.orgId);
    assert.equal(fromMicrosoft?.visibility, 'metadata');
    assert.match(fromMicrosoft?.bodyText ?? '', new RegExp(`body-m-${tag}`), 'whatever its visibility');
    assert.equal(response.body.includes(`bob-${tag}`), false, 'another member’s mail never');
    assert.deepEqual(
      exported.inmail.map((message) => [message.conversation.subject, message.body, message.sender]),
      [[`inmail-${tag}`, `inmail-body-${tag}`, 'user']],
    );
    assert.deepEqual(exported.summary, { messages: 2, inmailMessages: 1, organizations: 2 });

    const bobs: Exported = (await t.call(bob.token, 'GET', '/api/me/export')).json();
    assert.deepEqual(
      bobs.messages.map((message) => message.subject),
      [`subject-bob-${tag}`],
    );
    assert.deepEqual(bobs.inmail, []);

    const operator = await t.operator();
    const onBehalf = await t.call(operator, 'GET', `/api/members/${ada.id}/export`);
    assert.equal(onBehalf.statusCode, 200, onBehalf.body);
    assert.deepEqual(
      (onBehalf.json() as Exported).messages.map((message) => message.id).sort(),
      exported.messages.map((message) => message.id).sort(),
    );
    assert.equal((await t.call(ada.token, 'GET', `/api/members/${ada.id}/export`)).statusCode, 403);
    assert.equal((await t.call(google.admin.token, 'GET', '/api/me/export')).statusCode, 403);
    assert.equal((await t.call(operator, 'GET', `/api/members/${randomUUID()}/export`)).statusCode, 404);

    const record = await db
      .selectFrom('exports')
      .selectAll()
      .where('id', '=', exported.exportId)
      .executeTakeFirstOrThrow();
    assert.equal(record.requested_by, 'member');
    assert.equal(record.member_id, ada.id);
    assert.ok(record.finished_at, 'the record says the download ended');
    assert.deepEqual([...record.org_ids].sort(), [google.orgId, microsoft.orgId].sort());
    assert.equal(record.messages, 2);
    assert.equal(record.inmail_messages, 1);
    const events = await db
      .selectFrom('audit_events')
      .select(['org_id', 'details'])
      .where('action', '=', 'member_mail_exported')
      .where(sql<boolean>`details->>'exportId' = ${exported.exportId}`)
      .execute();
    assert.deepEqual(
      events.map((event) => [event.org_id, event.details.messages]).sort(),
      [
        [google.orgId, 1],
        [microsoft.orgId, 1],
      ].sort(),
    );
    for (const word of [tag, a1, a2, 'Ada Candidate']) {
      assert.deepEqual(await recordsNaming(word), [], `no record names ${word}`);
    }
  });

  it('R16: a 2,000-message export streams in batches, with memory bounded by a batch, and is valid JSON', async () => {
    const box = await connectedMailbox(t, 'google', `export-big-${unique()}.example`);
    const address = `big.${unique()}@candidates.example`;
    const member = await t.member({ emails: [address] });
    // Bulk-loaded: 20 threads of 100 messages; half name the member in `from`, half only by the link.
    await sql`
      with th as (
        insert into threads (org_id, connection_id, owner_user_id, provider_thread_id, subject, last_message_at)
        select ${box.orgId}, ${box.connectionId}, ${box.recruiter.id}, 'bulk-' || n, 'bulk ' || n, now()
        from generate_series(1, 20) n returning id),
      ms as (
        insert into messages (org_id, thread_id, connection_id, provider_message_id, direction, from_address,
                              to_addresses, subject, received_at, body_text)
        select ${box.orgId}, th.id, ${box.connectionId}, 'bulk-' || th.id || '-' || n, 'received',
               case when n % 2 = 0 then jsonb_build_object('address', ${address}::text)
                    else '{"address":"someone@else.example"}'::jsonb end,
               '[]', 'bulk subject ' || n, now() - n * interval '1 minute', repeat('text ', 100)
        from th, generate_series(1, 100) n returning id, thread_id, from_address)
      insert into message_members (org_id, message_id, thread_id, member_id)
      select ${box.orgId}, ms.id, ms.thread_id, ${member.id} from ms where ms.from_address->>'address' <> ${address}
    `.execute(db);

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    onCleanup(() => t.app.close());
    const { port } = t.app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/me/export`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('transfer-encoding'), 'chunked', 'streamed, no length known up front');
    const reader = response.body?.getReader();
    assert.ok(reader);
    const chunks: Uint8Array[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
    assert.ok(chunks.length >= 10, `arrives in several chunks (${chunks.length})`);
    const exported: Exported = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    assert.equal(exported.messages.length, 2000);
    assert.equal(new Set(exported.messages.map((message) => message.id)).size, 2000, 'each once');
    assert.equal(exported.summary.messages, 2000);

    // The same export through the service, watching what each statement brings back from PostgreSQL.
    const rowsPerStatement: number[] = [];
    const watch: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        rowsPerStatement.push(args.result.rows.length);
        return args.result;
      },
    };
    const started = await exportMember({ ...t.context, db: db.withPlugin(watch) }, 'member', member.id, 300);
    let largestChunk = 0;
    let text = '';
    for await (const chunk of started.chunks) {
      largestChunk = Math.max(largestChunk, chunk.length);
      text += chunk;
    }
    assert.equal(JSON.parse(text).messages.length, 2000);
    assert.ok(Math.max(...rowsPerStatement) <= 300, 'no statement reads more than a batch');
    assert.ok(
      rowsPerStatement.filter((rows) => rows === 300).length >= 6,
      `the messages are read in batches (${rowsPerStatement.join(',')})`,
    );
    assert.ok(largestChunk < 300 * 1000, `a chunk holds one batch (${largestChunk} characters)`);
  });

  it('R16: after an erasure, the export holds the erasure record and the suppressions (never the hashes), and no messages', async () => {
    const box = await connectedMailbox(t, 'google', `export-erased-${unique()}.example`);
    const [first, second] = [`eve.${unique()}@candidates.example`, `eve.${unique()}@home.example`];
    const member = await t.member({ emails: [first, second] });
    await mail(box, first, `erased-${unique()}`);
    await box.sync();
    const erased = await t.call(member.token, 'POST', '/api/me/erasure');
    assert.equal(erased.statusCode, 200, erased.body);

    const response = await t.call(member.token, 'GET', '/api/me/export');
    assert.equal(response.statusCode, 200, response.body);
    const exported: Exported = response.json();
    assert.deepEqual(exported.messages, []);
    assert.deepEqual(
      exported.erasures.map((erasure) => [
        erasure.id,
        erasure.requestedBy,
        erasure.organizationIds,
        erasure.messages,
      ]),
      [[erased.json().erasureId, 'member', [box.orgId], 1]],
    );
    assert.equal(exported.suppressions.addresses, 2);
    assert.ok(exported.suppressions.since && Date.parse(exported.suppressions.since) <= Date.now());
    for (const address of [first, second]) {
      for (const hash of t.context.vault.digests(SUPPRESSION, address)) {
        assert.equal(response.body.includes(hash.toString('hex')), false, 'no hash in hex');
        assert.equal(response.body.includes(hash.toString('base64')), false, 'no hash in base64');
      }
    }
    assert.equal(exported.summary.messages, 0);
  });
});
