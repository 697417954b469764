/**
 * R19 as amended: "no member can be found" covers no member, a hidden member and an erased member alike,
 * so the rows that told them apart are rewritten to `no_member` and the rule can no longer say more; and
 * `unreadable`, for a message set aside because it could not be downloaded, read or stored.
 *
 * A message kept only in part (over SYNC_MAX_MESSAGE_BYTES: headers, text up to a cap and attachment
 * descriptions; or with its text, HTML or attachment list cut) says so in `truncated`.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sync_decisions drop constraint sync_decisions_rule_check;
    update sync_decisions set rule = 'no_member' where rule in ('erased', 'not_discoverable');
    alter table sync_decisions add constraint sync_decisions_rule_check
      check (rule in ('before_authorization', 'draft_or_spam', 'internal_only', 'no_member', 'unreadable'));
    alter table messages add column truncated boolean not null default false;
  `.execute(db);
}
