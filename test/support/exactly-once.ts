/**
 * Exactly-once checks for sync tests: deliver a mix of candidate and other mail, count how much of it sync
 * has looked at, and read back what was stored, to assert that every candidate message is stored once,
 * every other message is decided against once (R19), and nothing else is kept.
 */
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/database.ts';
import type { Mailbox } from './sync.ts';

export interface Delivered {
  /** Provider ids of the candidate messages, in delivery order. */
  expected: string[];
  /** Provider ids of the other messages, in delivery order. */
  others: string[];
  /** Every provider id, in delivery order. */
  all: string[];
  /** The RFC Message-ID of each, by provider id (to find the same mail stored twice under two ids). */
  messageIds: Map<string, string>;
}

/**
 * Delivers `messages` messages, every `candidateEvery`-th from one of `candidates` (in turn), the others
 * from addresses no member has. With `concurrency` above 1 the delivery order is not the index order.
 */
export async function deliverMix(
  box: Mailbox,
  options: {
    messages: number;
    candidateEvery: number;
    candidates: string[];
    tag: string;
    concurrency?: number;
  },
): Promise<Delivered> {
  const delivered: Delivered = { expected: [], others: [], all: [], messageIds: new Map() };
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 1 }, async () => {
      for (let i = next++; i < options.messages; i = next++) {
        const candidate = i % options.candidateEvery === 0;
        const from = candidate
          ? (options.candidates[(i / options.candidateEvery) % options.candidates.length] as string)
          : `sender-${i}@elsewhere-${options.tag}.example`;
        const { id, messageId } = await box.deliver({
          from: { address: from },
          to: [{ address: box.recruiter.email }],
          subject: `${candidate ? 'Application' : 'Newsletter'} ${i}`,
          text: `Message ${i}. `.repeat(20),
        });
        (candidate ? delivered.expected : delivered.others).push(id);
        delivered.all.push(id);
        delivered.messageIds.set(id, messageId);
      }
    }),
  );
  return delivered;
}

/** How many of the mailbox's messages sync has looked at: stored, or decided against (R19). */
export async function lookedAt(db: Database, connectionId: string): Promise<number> {
  const [stored, decided] = await Promise.all([
    db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('connection_id', '=', connectionId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('sync_decisions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('connection_id', '=', connectionId)
      .executeTakeFirstOrThrow(),
  ]);
  return Number(stored.n) + Number(decided.n);
}

export interface SyncOutcome {
  /** Provider ids of stored messages, one per row (a duplicate would appear twice). */
  storedRows: string[];
  /** Provider ids with an R19 decision, one per row. */
  decidedRows: string[];
  /** Rows linking the stored messages to members. */
  links: number;
  /** The sync state's count of messages stored (each committed page adds what it newly stored). */
  counted: number;
}

/** What sync has stored and decided for the mailbox. */
export async function syncOutcome(db: Database, connectionId: string): Promise<SyncOutcome> {
  const stored = await db
    .selectFrom('messages')
    .select('provider_message_id')
    .where('connection_id', '=', connectionId)
    .execute();
  const decided = await db
    .selectFrom('sync_decisions')
    .select('provider_message_id')
    .where('connection_id', '=', connectionId)
    .execute();
  const links = await db
    .selectFrom('message_members as mm')
    .innerJoin('messages as m', (join) =>
      join.onRef('m.org_id', '=', 'mm.org_id').onRef('m.id', '=', 'mm.message_id'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('m.connection_id', '=', connectionId)
    .executeTakeFirstOrThrow();
  const state = await db
    .selectFrom('mailbox_sync')
    .select('messages_synced')
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return {
    storedRows: stored.map((row) => row.provider_message_id),
    decidedRows: decided.map((row) => row.provider_message_id),
    links: Number(links.n),
    counted: Number(state?.messages_synced ?? 0),
  };
}

/** Every candidate message stored once and linked to its one candidate; every other one decided once. */
export function assertExactlyOnce(outcome: SyncOutcome, expected: string[], others: string[]): void {
  assert.equal(outcome.storedRows.length, expected.length, 'one stored row per candidate message');
  assert.deepEqual(new Set(outcome.storedRows), new Set(expected), 'exactly the candidate messages');
  assert.equal(outcome.decidedRows.length, others.length, 'one R19 decision per other message');
  assert.deepEqual(new Set(outcome.decidedRows), new Set(others), 'exactly the other messages');
  assert.equal(outcome.links, expected.length, 'each stored message linked to its one candidate');
  assert.equal(outcome.counted, expected.length, 'the synced count saw each message once');
}

/** Waits until `check` holds, or fails with `why()` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  why: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await why());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
