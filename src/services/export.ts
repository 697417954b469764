/**
 * R16 export, a data-subject access request: a member (or the operator for them) downloads, as one JSON
 * document, everything the platform holds about them from synced mail, whatever its visibility, in every
 * organization (exactly the messages their erasure would erase, `memberScope` and `db/erasure.ts`
 * `involves`), their InMail, and the erasures and suppressions on record (suppressions as a count and
 * dates: the keyed hashes themselves say nothing to the member and stay in the database).
 *
 * The document is written as it is read: one keyset batch of rows at a time, each batch one chunk, pulled
 * by the response stream only when the client has taken the last (`Readable.from` stops the generator
 * under backpressure). So memory is one batch whatever the size. The start is recorded first; the end,
 * with counts and organizations, only after the last byte, with one audit event per organization whose
 * mail was given out (counts and the export's id, never content). A download that breaks off leaves the
 * record unfinished; the client then holds invalid JSON, never a document that looks whole.
 */
import { randomUUID } from 'node:crypto';
import { insertAuditEvent } from '../db/audit.ts';
import {
  type BatchPosition,
  erasuresOf,
  exportInmailBatch,
  exportMessagesBatch,
  finishExport,
  insertExport,
} from '../db/exports.ts';
import { findSuppressions } from '../db/suppressions.ts';
import { SUPPRESSION } from '../sync/decide.ts';
import type { AppContext } from './context.ts';
import { memberScope } from './erasure.ts';

/** Rows read and written at a time: the memory an export holds. */
export const EXPORT_BATCH = 200;

export interface MemberExport {
  exportId: string;
  /** The document, in chunks of at most one batch. */
  chunks: AsyncGenerator<string>;
}

/** Starts an export: 404 for an unknown member before anything is written; the document streams from there. */
export async function exportMember(
  context: AppContext,
  requestedBy: 'member' | 'operator',
  memberId: string,
  batch = EXPORT_BATCH,
): Promise<MemberExport> {
  const scope = await memberScope(context.db, memberId);
  const exportId = randomUUID();
  const started = await insertExport(context.db, { id: exportId, requestedBy, memberId });
  return { exportId, chunks: write(context, { exportId, at: started.at, ...scope }, batch) };
}

async function* write(
  context: AppContext,
  scope: Awaited<ReturnType<typeof memberScope>> & { exportId: string; at: Date },
  batch: number,
): AsyncGenerator<string> {
  const { db } = context;
  const { member } = scope;
  const head = {
    exportId: scope.exportId,
    generatedAt: scope.at,
    member: {
      id: member.id,
      name: member.name,
      headline: member.headline,
      emails: member.emails,
      discoverability: member.discoverability,
    },
    erasures: await erasuresOf(db, member.id),
    suppressions: await suppressionsOf(context, scope.normalized),
  };
  yield `${JSON.stringify(head).slice(0, -1)},"messages":[`;

  const perOrganization = new Map<string, number>();
  let position: BatchPosition | undefined;
  let first = true;
  for (;;) {
    const rows = await exportMessagesBatch(db, member.id, scope.addresses, position, batch);
    if (rows.length > 0) {
      yield `${first ? '' : ','}${rows.map((row) => JSON.stringify(row)).join(',')}`;
      first = false;
      for (const row of rows) {
        perOrganization.set(row.organization.id, (perOrganization.get(row.organization.id) ?? 0) + 1);
      }
    }
    const last = rows.at(-1);
    if (!last || rows.length < batch) break;
    position = { orgId: last.organization.id, id: last.id };
  }

  yield '],"inmail":[';
  let inmailMessages = 0;
  position = undefined;
  for (;;) {
    const rows = await exportInmailBatch(db, member.id, position, batch);
    if (rows.length > 0) {
      yield `${inmailMessages === 0 ? '' : ','}${rows.map((row) => JSON.stringify(row)).join(',')}`;
      inmailMessages += rows.length;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batch) break;
    position = { orgId: last.organization.id, id: last.id };
  }

  const messages = [...perOrganization.values()].reduce((sum, count) => sum + count, 0);
  const orgIds = [...perOrganization.keys()];
  yield `],"summary":${JSON.stringify({ messages, inmailMessages, organizations: orgIds.length })}}`;

  await db.transaction().execute(async (trx) => {
    await finishExport(trx, scope.exportId, { orgIds, messages, inmailMessages });
    for (const [orgId, count] of perOrganization) {
      // Like an erasure's: the export's id and a count; which member asked is not the organization's to read.
      await insertAuditEvent(trx, orgId, {
        actorUserId: null,
        action: 'member_mail_exported',
        details: { exportId: scope.exportId, messages: count },
      });
    }
  });
}

/** What a suppression means, told to the member in their export. */
export const SUPPRESSION_MEANING =
  'These addresses are kept only as keyed hashes, so that no mailbox syncs mail involving them until you set discoverability to `anyone` again.';

/** How many of the member's addresses are suppressed (R16), since when and last when; never the hashes. */
async function suppressionsOf(context: AppContext, normalized: readonly string[]) {
  const digests = normalized.map((address) => context.vault.digests(SUPPRESSION, address));
  const found = await findSuppressions(context.db, digests.flat());
  const times = digests
    .map((hashes) =>
      hashes
        .map((hash) => found.get(hash.toString('hex')))
        .filter((at): at is Date => at !== undefined)
        .sort((a, b) => b.getTime() - a.getTime())
        .at(0),
    )
    .filter((at): at is Date => at !== undefined)
    .sort((a, b) => a.getTime() - b.getTime());
  return {
    addresses: times.length,
    since: times.at(0) ?? null,
    lastAt: times.at(-1) ?? null,
    meaning: SUPPRESSION_MEANING,
  };
}
