/**
 * The chaos run's accounting (`npm run chaos`, test/chaos/): what each scenario must end with, counted the
 * same way everywhere, and printed as the one line a scenario ends with:
 *
 *   <scenario>: expected N, present N, duplicated 0, leaked 0
 *
 * - expected: candidate messages that must be stored;
 * - present: distinct ones of them stored;
 * - duplicated: stored copies beyond the first (by provider id, by RFC Message-ID, member links);
 * - leaked: anything visible or synced against a rule: a stored message that is not expected (non-candidate,
 *   deleted in the mailbox, from before authorization, poison), a non-candidate message whose body was
 *   downloaded, a private thread a colleague or an admin can see (thread list, a candidate's history, search).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import type { Provider } from '../../src/providers/types.ts';
import type { TestApp } from './app.ts';
import { until } from './exactly-once.ts';
import type { ProviderTest } from './providers.ts';
import { connectedMailbox, type Mailbox } from './sync.ts';

export interface Tally {
  expected: number;
  present: number;
  duplicated: number;
  leaked: number;
  /** What the leaks were, for the failure message. */
  notes: string[];
}

/** One delivered message: its provider id and RFC Message-ID. */
export interface Sent {
  id: string;
  messageId: string;
}

/** The ledger of a mailbox under chaos: what was delivered and what must (not) end up stored. */
export class Ledger {
  /** Candidate messages that must be stored. */
  readonly expected = new Map<string, Sent>();
  /** Messages that must not be stored and whose body must not be read (non-candidate mail). */
  readonly others = new Map<string, Sent>();
  /** Messages that must not be stored, though their body may have been read (deleted, poison, early). */
  readonly forbidden = new Map<string, Sent>();
  /** Messages sync must look at, stored or decided against (R19) as it finds them (hostile mail). */
  readonly free = new Map<string, Sent>();

  expect(sent: Sent): void {
    this.expected.set(sent.id, sent);
  }
  other(sent: Sent): void {
    this.others.set(sent.id, sent);
  }
  /** A message that must not be (or no longer be) stored: deleted in the mailbox, poison, before consent. */
  forbid(id: string): void {
    const sent = this.expected.get(id) ?? this.others.get(id);
    this.expected.delete(id);
    this.forbidden.set(id, sent ?? { id, messageId: '' });
  }
  /** A message that may end stored or decided against, as long as sync looks at it. */
  either(sent: Sent): void {
    this.free.set(sent.id, sent);
  }
  /** Every message sync must have looked at (stored, or decided against). */
  seen(): string[] {
    return [...this.expected.keys(), ...this.others.keys(), ...this.free.keys()];
  }
}

export interface Team {
  box: Mailbox;
  /** A colleague and the admin of the recruiter's organization: neither may see a private thread. */
  colleague: { token: string };
  admin: { token: string };
  candidates: { id: string; address: string }[];
  tag: string;
  ledger: Ledger;
}

/**
 * A connected mailbox on `provider` with `candidates` members (discoverable by anyone), a colleague, and
 * mail delivered before consent (R9: never synced; its ids are in the ledger as forbidden).
 */
export async function chaosTeam(
  t: ProviderTest,
  provider: Provider,
  name: string,
  options: { candidates?: number } = {},
): Promise<Team> {
  const tag = randomBytes(3).toString('hex');
  const ledger = new Ledger();
  const candidates: Team['candidates'] = [];
  for (let i = 0; i < (options.candidates ?? 5); i += 1) {
    const address = `${name}-${tag}-${i}@candidates.example`;
    const member = await t.member({ emails: [address] });
    candidates.push({ id: member.id, address });
  }
  const early: string[] = [];
  const box = await connectedMailbox(t, provider, `${name}-${provider}-${tag}.example`, {
    beforeConsent: async (deliver) => {
      for (const [i, candidate] of candidates.entries()) {
        const sent = await deliver({
          from: { address: candidate.address },
          to: [{ address: `rex@${name}-${provider}-${tag}.example` }],
          subject: `Before consent ${i}`,
          text: 'Sent before the mailbox was connected (R9).',
        });
        early.push(sent.id);
      }
      // R9 is judged to the whole second (Graph stamps mail so; see decideSync): mail from the very second
      // of consent counts as new. Consent comes in a later second, so that this mail is plainly older.
      await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
    },
  });
  for (const id of early) ledger.forbid(id);
  const colleague = await t.user(box.orgId);
  return { box, colleague, admin: box.admin, candidates, tag, ledger };
}

/**
 * Delivers `count` messages, every `candidateEvery`-th from a candidate (in turn), the others from addresses
 * no member has, `concurrency` at a time; each goes into the ledger.
 */
export async function deliverInto(
  team: Team,
  count: number,
  options: { candidateEvery?: number; concurrency?: number; label?: string; start?: number } = {},
): Promise<Sent[]> {
  const every = options.candidateEvery ?? 10;
  const start = options.start ?? 0;
  const sent: Sent[] = [];
  let next = start;
  await Promise.all(
    Array.from({ length: options.concurrency ?? 4 }, async () => {
      for (let i = next++; i < start + count; i = next++) {
        const candidate = i % every === 0;
        const from = candidate
          ? (team.candidates[Math.floor(i / every) % team.candidates.length]?.address as string)
          : `sender-${i}@elsewhere-${team.tag}.example`;
        const message = await team.box.deliver({
          from: { address: from },
          to: [{ address: team.box.recruiter.email }],
          subject: `${candidate ? 'Application' : 'Newsletter'} ${options.label ?? ''}${i}`,
          text: `Message ${i}. `.repeat(20),
        });
        const entry = { id: message.id, messageId: message.messageId };
        if (candidate) team.ledger.expect(entry);
        else team.ledger.other(entry);
        sent.push(entry);
      }
    }),
  );
  return sent;
}

/** How many of `ids` sync has stored or decided against. */
export async function lookedAtOf(db: Database, connectionId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from (
      select provider_message_id from messages
      where connection_id = ${connectionId} and provider_message_id = any(${ids})
      union
      select provider_message_id from sync_decisions
      where connection_id = ${connectionId} and provider_message_id = any(${ids})
    ) seen`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Stored rows among `ids` (a message deleted in the mailbox must go). */
async function storedAmong(db: Database, connectionId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('connection_id', '=', connectionId)
    .where('provider_message_id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Waits until sync has looked at every message of the ledger, or fails after `timeoutMs` saying how far it
 * got (a stuck mailbox is a failure, not a tally); then gives deletions up to `graceMs` more to be followed
 * (a forbidden message still stored after that is counted as leaked by `tally`).
 */
export async function settled(
  db: Database,
  team: Team,
  timeoutMs: number,
  progress?: (text: string) => void,
  graceMs = 60_000,
): Promise<void> {
  const seen = team.ledger.seen();
  const forbidden = [...team.ledger.forbidden.keys()];
  let lastReport = Date.now();
  await until(
    async () => {
      const looked = await lookedAtOf(db, team.box.connectionId, seen);
      if (progress && Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        progress(`looked at ${looked} of ${seen.length}; ${await syncDiagnosis(db, team.box.connectionId)}`);
      }
      return looked >= seen.length;
    },
    timeoutMs,
    async () =>
      `the mailbox did not settle within ${timeoutMs / 1000} s: looked at ${await lookedAtOf(db, team.box.connectionId, seen)} of ${seen.length}; ${await syncDiagnosis(db, team.box.connectionId)}`,
  );
  const deadline = Date.now() + graceMs;
  while ((await storedAmong(db, team.box.connectionId, forbidden)) > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
}

/** The mailbox's sync state and its sync job, in a few words (progress lines, failure messages). */
export async function syncDiagnosis(db: Database, connectionId: string): Promise<string> {
  const state = await db
    .selectFrom('mailbox_sync as s')
    .innerJoin('mailbox_connections as c', 'c.id', 's.connection_id')
    .select([
      'c.status',
      's.last_error',
      's.backoff_until',
      's.last_sync_started_at',
      's.last_sync_succeeded_at',
    ])
    .where('s.connection_id', '=', connectionId)
    .executeTakeFirst();
  const { rows: jobs } = await sql<Record<string, unknown>>`
    select task_identifier as task, attempts, max_attempts, run_at, locked_at, last_error
    from graphile_worker.jobs
    where key = ${`sync:${connectionId}`} or queue_name = ${`mailbox:${connectionId}`}`.execute(db);
  const when = (date: Date | null | undefined) =>
    date ? `${Math.round((date.getTime() - Date.now()) / 1000)} s` : '-';
  return [
    `connection ${state?.status}`,
    `last sync started ${when(state?.last_sync_started_at)}, succeeded ${when(state?.last_sync_succeeded_at)}`,
    state?.backoff_until ? `backoff until ${when(state.backoff_until)}` : '',
    state?.last_error ? `last error: ${state.last_error.slice(0, 160)}` : '',
    `jobs: ${jobs.map((job) => `${job.task} ${job.attempts}/${job.max_attempts} run ${when(job.run_at as Date)}${job.locked_at ? ' running' : ''}${job.last_error ? ` (${String(job.last_error).slice(0, 120)})` : ''}`).join('; ') || 'none'}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Counts what the mailbox ended with against its ledger (see the file's comment). */
export async function tally(t: TestApp & Partial<ProviderTest>, team: Team): Promise<Tally> {
  const { db } = t.database;
  const { connectionId } = team.box;
  const notes: string[] = [];
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'provider_message_id', 'rfc_message_id', 'subject', 'created_at'])
    .where('connection_id', '=', connectionId)
    .execute();
  const expected = team.ledger.expected;
  const byId = countBy(rows.map((row) => row.provider_message_id));
  const byRfc = countBy(rows.map((row) => row.rfc_message_id ?? ''));
  let present = 0;
  let duplicated = 0;
  for (const [id, sent] of expected) {
    const copies = byId.get(id) ?? 0;
    if (copies > 0) present += 1;
    duplicated += Math.max(0, copies - 1);
    // The same mail stored again under another provider id (a Graph id that is not the immutable one…).
    const rfcCopies = sent.messageId ? (byRfc.get(sent.messageId) ?? 0) : copies;
    duplicated += Math.max(0, rfcCopies - Math.max(copies, 1));
  }
  const links = await sql<{ message_id: string; member_id: string; n: string }>`
    select mm.message_id, mm.member_id, count(*) as n
    from message_members mm join messages m on m.org_id = mm.org_id and m.id = mm.message_id
    where m.connection_id = ${connectionId}
    group by 1, 2 having count(*) > 1`.execute(db);
  duplicated += links.rows.reduce((sum, row) => sum + Number(row.n) - 1, 0);

  let leaked = 0;
  const stray = rows.filter(
    (row) => !expected.has(row.provider_message_id) && !team.ledger.free.has(row.provider_message_id),
  );
  if (stray.length > 0) {
    leaked += stray.length;
    const kinds = stray.map((row) =>
      team.ledger.others.has(row.provider_message_id)
        ? 'non-candidate'
        : team.ledger.forbidden.has(row.provider_message_id)
          ? 'forbidden (deleted, poison or before consent)'
          : 'unknown',
    );
    notes.push(`stored but not expected: ${[...countBy(kinds)].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    for (const row of stray.slice(0, 5))
      notes.push(`  ${row.provider_message_id} "${row.subject}" stored at ${row.created_at.toISOString()}`);
  }
  if (t.sandbox) {
    const reads = await t.sandbox.control.get<{ ids: string[] }>(
      `/${team.box.provider}/mailboxes/${team.box.recruiter.email}/body-reads`,
    );
    const bodies = new Set(reads.ids).size;
    const nonCandidate = [...new Set(reads.ids)].filter((id) => team.ledger.others.has(id)).length;
    if (nonCandidate > 0) notes.push(`${nonCandidate} non-candidate bodies downloaded (of ${bodies} read)`);
    leaked += nonCandidate;
  }
  for (const [who, token] of [
    ['colleague', team.colleague.token],
    ['admin', team.admin.token],
  ] as const) {
    const seen = await seenBy(t, token, team);
    if (seen > 0) notes.push(`${seen} private threads or messages seen by the ${who}`);
    leaked += seen;
  }
  return { expected: expected.size, present, duplicated, leaked, notes };
}

/** What `token` (not the owner) sees of the mailbox's private threads: list, histories, search. */
export async function seenBy(t: TestApp, token: string, team: Team): Promise<number> {
  let seen = 0;
  const threads = await t.call(token, 'GET', '/api/threads?limit=100');
  assert.equal(threads.statusCode, 200, threads.body);
  seen += (threads.json().threads as { ownerUserId: string }[]).filter(
    (thread) => thread.ownerUserId === team.box.recruiter.id,
  ).length;
  for (const candidate of team.candidates) {
    const history = await t.call(token, 'GET', `/api/members/${candidate.id}/history?limit=100`);
    assert.equal(history.statusCode, 200, history.body);
    seen += (history.json().entries as { kind: string }[]).filter((entry) => entry.kind === 'email').length;
  }
  const search = await t.call(token, 'GET', '/api/search?q=Application&limit=100');
  assert.equal(search.statusCode, 200, search.body);
  seen += (search.json().hits as { kind: string }[]).filter((hit) => hit.kind === 'email').length;
  return seen;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Adds tallies up (a scenario's providers, or its rounds). */
export function sum(tallies: Tally[]): Tally {
  return tallies.reduce(
    (total, next) => ({
      expected: total.expected + next.expected,
      present: total.present + next.present,
      duplicated: total.duplicated + next.duplicated,
      leaked: total.leaked + next.leaked,
      notes: [...total.notes, ...next.notes],
    }),
    { expected: 0, present: 0, duplicated: 0, leaked: 0, notes: [] },
  );
}

/** The line a scenario ends with. */
export function line(scenario: string, counts: Tally): string {
  return `${scenario}: expected ${counts.expected}, present ${counts.present}, duplicated ${counts.duplicated}, leaked ${counts.leaked}`;
}

/** Prints the scenario's line (and what leaked), then fails unless it is clean. */
export function report(scenario: string, counts: Tally): void {
  process.stdout.write(`${line(scenario, counts)}\n`);
  for (const note of counts.notes) process.stdout.write(`  ${scenario}: ${note}\n`);
  assert.equal(counts.duplicated, 0, `${scenario}: nothing duplicated`);
  assert.equal(counts.leaked, 0, `${scenario}: nothing leaked (${counts.notes.join('; ')})`);
  assert.equal(counts.present, counts.expected, `${scenario}: every expected message present`);
}

/** A number from the environment, or `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`${name} must be a number, not ${value}`);
  return number;
}

/** The providers a scenario runs on (CHAOS_PROVIDERS, default both). */
export function chaosProviders(): Provider[] {
  return (process.env.CHAOS_PROVIDERS ?? 'google,microsoft').split(',').map((p) => p.trim()) as Provider[];
}

/** The run's seed (CHAOS_SEED; the runner picks and prints one). */
export const SEED = envNumber('CHAOS_SEED', 20261126);

/** Prefixes a provider's progress lines. */
export function logger(scenario: string, provider?: Provider) {
  return (text: string) => process.stdout.write(`[${scenario}${provider ? ` ${provider}` : ''}] ${text}\n`);
}

/** Waits until the mailbox's first sync has anchored its cursor (and, with `push`, its channel is on). */
export async function firstSync(t: TestApp, team: Team, options: { push?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { sync } = (await t.call(team.box.recruiter.token, 'GET', '/api/connection')).json().connection;
    if (sync.lastSyncAt && (!options.push || sync.pushActive)) return;
    if (Date.now() > deadline) throw new Error(`the first sync did not finish: ${JSON.stringify(sync)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A seeded choice among candidate messages delivered so far that are still expected. */
export function pickExpected(team: Team, random: { next(): number }): string | undefined {
  const ids = [...team.ledger.expected.keys()];
  return ids[Math.floor(random.next() * ids.length)];
}

/** Deletes a message in the mailbox (Trash or deleted for good) and forbids it in the ledger (R13). */
export async function deleteInMailbox(team: Team, id: string, how: 'trash' | 'delete'): Promise<void> {
  await team.box.act(id, how);
  team.ledger.forbid(id);
}
