/**
 * Stage `ingest` (issue 14, item 2): messages stored per second by our ingest path — `storeMessages`
 * (`src/db/mail.ts`), what a page's commit (`sync/commit.ts`) calls with the messages it decided to keep,
 * inside the page's transaction, a Gmail page (500 ids) at a time — ÷ PostgreSQL's bare multi-row
 * `INSERT` of the same rows: same tables (their indexes and triggers), same columns, same values, a
 * statement per table per batch and no product code, the search row computed by the same SQL
 * expression. Each side has a fresh database of its own (`context.database()`) with the same
 * organization, mailbox and members; batches alternate between the two, so both see the same load of the
 * machine. Goal: ≥ 0.5.
 *
 * The messages are what the reader makes of recruiting mail (`bench/ingest-mail.ts`): threads of 1–20
 * messages, each linked to the thread's candidate (a second one cc'd on some), bodies of a few hundred
 * bytes to about 4 KiB of words, HTML for some, attachment metadata for some, in the order of arrival, so
 * a batch holds messages of many threads and a thread spans batches.
 */
import type pg from 'pg';
import { insertConnection } from '../../src/db/connections.ts';
import { connect } from '../../src/db/database.ts';
import { type NewMessage, storeMessages } from '../../src/db/mail.ts';
import { createLogger } from '../../src/log.ts';
import { createOrganization, createUser } from '../../src/services/accounts.ts';
import { type IngestMessage, ingestMail } from '../ingest-mail.ts';
import type { Stage } from '../stage.ts';

/** What the engine commits at once: one Gmail history page (`providers/google/mail.ts`, 500 ids). */
const BATCH = 500;
const LANGUAGE = 'simple';

interface Side {
  orgId: string;
  connection: { id: string; ownerUserId: string };
  memberIds: string[];
  database: ReturnType<typeof connect>;
}

export const ingest: Stage = {
  id: 'ingest',
  title: 'Ingest: storeMessages ÷ bare multi-row INSERT of the same rows',
  async run({ quick, progress, database }) {
    const size = quick
      ? { messages: 600, threads: 120, members: 60 }
      : { messages: 20_000, threads: 3_000, members: 1_500 };
    const mail = ingestMail(size);
    const logger = createLogger('warn');
    const ours = await prepare((await database()).url, size.members, logger);
    const bare = await prepare((await database()).url, size.members, logger);
    const client = await bare.database.pool.connect();
    const time = { ours: 0, bare: 0 };
    // Where the bare side's time goes, statement by statement: what bounds both sides.
    const phases: Record<string, number> = {};
    let stored = 0;
    try {
      const batches = Math.ceil(mail.length / BATCH);
      for (let n = 0; n < batches; n += 1) {
        const batch = mail.slice(n * BATCH, (n + 1) * BATCH);
        const runOurs = async () => {
          const messages = batch.map((message) => withMembers(message, ours.memberIds));
          const t0 = performance.now();
          const result = await ours.database.db
            .transaction()
            .execute((trx) => storeMessages(trx, ours.orgId, ours.connection, messages, LANGUAGE));
          time.ours += performance.now() - t0;
          stored += result.stored;
          if (result.refused.length > 0) throw new Error(`refused: ${result.refused.join(', ')}`);
        };
        const runBare = async () => {
          const messages = batch.map((message) => withMembers(message, bare.memberIds));
          const t0 = performance.now();
          await bareInsert(client, bare, messages, phases);
          time.bare += performance.now() - t0;
        };
        // Alternating which goes first, so neither always meets a machine the other just warmed or loaded.
        if (n % 2 === 0) {
          await runOurs();
          await runBare();
        } else {
          await runBare();
          await runOurs();
        }
        if (n % 10 === 0) progress(`batch ${n + 1} of ${batches}`);
      }
      if (stored !== mail.length) throw new Error(`storeMessages stored ${stored} of ${mail.length}`);
      const counts = await Promise.all([same(ours), same(bare)]);
      if (JSON.stringify(counts[0]) !== JSON.stringify(counts[1]))
        throw new Error(
          `the two sides differ: ours ${JSON.stringify(counts[0])}, bare ${JSON.stringify(counts[1])}`,
        );
      const oursRate = mail.length / (time.ours / 1000);
      const bareRate = mail.length / (time.bare / 1000);
      return {
        figures: [
          {
            id: 'ingest.ratio',
            label: 'messages stored per second, ours ÷ bare multi-row INSERT',
            value: oursRate / bareRate,
            unit: '×',
            goal: { op: '>=', value: 0.5 },
            note: 'batches of 500 in one transaction each; both sides pay the same indexes (3 GIN) and member_threads triggers',
          },
          {
            id: 'ingest.ours_per_s',
            label: 'storeMessages, messages per second',
            value: oursRate,
            unit: '/s',
          },
          {
            id: 'ingest.bare_per_s',
            label: 'bare multi-row INSERT, messages per second',
            value: bareRate,
            unit: '/s',
          },
        ],
        table: [
          ['bare statement', 'ms per batch', 'share'],
          ...Object.entries(phases).map(([phase, ms]) => [
            phase,
            (ms / Math.ceil(mail.length / BATCH)).toFixed(1),
            `${((100 * ms) / time.bare).toFixed(0)} %`,
          ]),
        ],
        details: { ...size, batch: BATCH, language: LANGUAGE, rows: counts[0], ms: time, bareMs: phases },
      };
    } finally {
      client.release();
      await ours.database.close();
      await bare.database.close();
    }
  },
};

async function prepare(url: string, members: number, logger: ReturnType<typeof createLogger>): Promise<Side> {
  const database = connect(url, logger, { max: 2 });
  const { db, pool } = database;
  const org = await createOrganization(db, { name: 'Ingest', primaryDomain: 'ingest.example' });
  const { user } = await createUser(db, org.id, { email: 'rex@ingest.example', name: 'Rex', role: 'member' });
  const connectionId = await insertConnection(db, org.id, {
    userId: user.id,
    provider: 'google',
    address: 'rex@ingest.example',
    providerSubject: 'bench-ingest',
    tenantId: null,
    scopes: [],
    warning: null,
    authorizedAt: new Date('2026-01-01T00:00:00Z'),
    accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
  });
  const { rows } = await pool.query<{ id: string }>(
    `insert into members (name, discoverability)
       select 'Candidate ' || n, 'anyone' from generate_series(0, $1 - 1) n order by n
     returning id`,
    [members],
  );
  return {
    orgId: org.id,
    connection: { id: connectionId, ownerUserId: user.id },
    memberIds: rows.map((row) => row.id),
    database,
  };
}

function withMembers(message: IngestMessage, memberIds: string[]): NewMessage {
  const { members, ...rest } = message;
  return { ...rest, memberIds: members.map((n) => memberIds[n] as string) };
}

/**
 * The same rows by hand: one multi-row statement per table, in one transaction: the batch's threads (one
 * row each, activity the newest of the batch, as the product's upsert leaves it), its messages, their
 * member links, their search rows (the expression of `db/search.ts`, set-based over the batch), and the
 * removal of any skip decision they replace (none here; the product pays that lookup too).
 */
async function bareInsert(
  client: pg.PoolClient,
  side: Side,
  messages: NewMessage[],
  phases: Record<string, number>,
) {
  const { orgId, connection } = side;
  const timed = async <T>(phase: string, running: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await running;
    phases[phase] = (phases[phase] ?? 0) + performance.now() - t0;
    return result;
  };
  await client.query('begin');
  try {
    const threads = new Map<string, { subject: string; last: Date }>();
    for (const message of messages) {
      const thread = threads.get(message.providerThreadId);
      if (!thread)
        threads.set(message.providerThreadId, { subject: message.subject, last: message.receivedAt });
      else if (message.receivedAt > thread.last) thread.last = message.receivedAt;
    }
    const threadParams: unknown[] = [orgId, connection.id, connection.ownerUserId];
    const threadRows = [...threads].map(([id, thread]) => {
      threadParams.push(id, thread.subject, thread.last);
      const p = threadParams.length;
      return `($1, $2, $3, $${p - 2}, $${p - 1}, $${p})`;
    });
    const { rows: threadIds } = await timed(
      'threads',
      client.query<{ id: string; provider_thread_id: string }>(
        `insert into threads (org_id, connection_id, owner_user_id, provider_thread_id, subject, last_message_at)
       values ${threadRows.join(', ')}
       on conflict (org_id, connection_id, provider_thread_id)
         do update set last_message_at = greatest(threads.last_message_at, excluded.last_message_at)
       returning id, provider_thread_id`,
        threadParams,
      ),
    );
    const threadOf = new Map(threadIds.map((row) => [row.provider_thread_id, row.id]));

    const columns = [
      'thread_id',
      'provider_message_id',
      'rfc_message_id',
      'in_reply_to',
      '"references"',
      'direction',
      'from_address',
      'to_addresses',
      'cc_addresses',
      'bcc_addresses',
      'subject',
      'sent_at',
      'received_at',
      'snippet',
      'body_text',
      'body_html',
      'attachments',
      'truncated',
    ];
    const messageParams: unknown[] = [orgId, connection.id];
    const messageRows = messages.map((m) => {
      const start = messageParams.length;
      messageParams.push(
        threadOf.get(m.providerThreadId),
        m.providerMessageId,
        m.rfcMessageId,
        m.inReplyTo,
        m.references,
        m.direction,
        m.from && JSON.stringify(m.from),
        JSON.stringify(m.to),
        JSON.stringify(m.cc),
        JSON.stringify(m.bcc),
        m.subject,
        m.sentAt,
        m.receivedAt,
        m.snippet,
        m.bodyText,
        m.bodyHtml,
        JSON.stringify(m.attachments),
        m.truncated,
      );
      return `($1, $2, ${columns.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    const { rows: inserted } = await timed(
      'messages',
      client.query<{
        id: string;
        provider_message_id: string;
        thread_id: string;
      }>(
        `insert into messages (org_id, connection_id, ${columns.join(', ')})
       values ${messageRows.join(', ')}
       on conflict (org_id, connection_id, provider_message_id) do nothing
       returning id, provider_message_id, thread_id`,
        messageParams,
      ),
    );
    const byProviderId = new Map(messages.map((m) => [m.providerMessageId, m]));
    const linkParams: unknown[] = [orgId];
    const linkRows: string[] = [];
    for (const row of inserted)
      for (const memberId of byProviderId.get(row.provider_message_id)?.memberIds ?? []) {
        linkParams.push(row.id, memberId, row.thread_id);
        const p = linkParams.length;
        linkRows.push(`($1, $${p - 2}, $${p - 1}, $${p})`);
      }
    if (linkRows.length > 0)
      await timed(
        'links',
        client.query(
          `insert into message_members (org_id, message_id, member_id, thread_id) values ${linkRows.join(', ')}
           on conflict do nothing`,
          linkParams,
        ),
      );
    const people = (addresses: string) => `coalesce((
      select string_agg(concat_ws(' ', a->>'name', a->>'address', split_part(a->>'address', '@', 2)), ' ')
      from jsonb_array_elements(${addresses}) a), '')`;
    await timed(
      'search',
      client.query(
        `insert into message_search (org_id, message_id, thread_id, received_at, words, people, member_ids)
       select m.org_id, m.id, m.thread_id, m.received_at,
         to_tsvector($3::regconfig, m.subject || ' ' || left(m.body_text, 65536))
           || to_tsvector('simple'::regconfig, ${people('m.bcc_addresses')}),
         to_tsvector('simple'::regconfig, ${people(
           `case when m.from_address is null then '[]'::jsonb else jsonb_build_array(m.from_address) end
             || m.to_addresses || m.cc_addresses`,
         )}),
         array(select mm.member_id from message_members mm where mm.org_id = m.org_id and mm.message_id = m.id)
       from messages m where m.org_id = $1 and m.id = any($2::uuid[])
       on conflict do nothing`,
        [orgId, inserted.map((row) => row.id), LANGUAGE],
      ),
    );
    await timed(
      'decisions',
      client.query(
        `delete from sync_decisions where org_id = $1 and connection_id = $2 and provider_message_id = any($3::text[])`,
        [orgId, connection.id, inserted.map((row) => row.provider_message_id)],
      ),
    );
    await timed('commit', client.query('commit'));
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** Row counts and a digest of what both sides stored, which must agree. */
async function same(side: Side) {
  const { rows } = await side.database.pool.query(
    `select
       (select count(*)::int from threads) as threads,
       (select count(*)::int from messages) as messages,
       (select count(*)::int from message_members) as links,
       (select count(*)::int from message_search) as search,
       (select count(*)::int from member_threads) as member_threads,
       (select md5(string_agg(provider_thread_id || subject || last_message_at::text, ',' order by provider_thread_id)) from threads) as threads_digest,
       (select md5(string_agg(provider_message_id || body_text || coalesce(body_html, '') || attachments::text, ',' order by provider_message_id)) from messages) as messages_digest,
       (select md5(string_agg(words::text || people::text, ',' order by m.provider_message_id)) from message_search s join messages m on m.org_id = s.org_id and m.id = s.message_id) as search_digest`,
  );
  return rows[0];
}
