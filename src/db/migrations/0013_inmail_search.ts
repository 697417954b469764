/**
 * Search over InMail (issue 9): the history search finds a member's InMail beside their synced mail.
 * InMail is indexed by expression, in the `simple` configuration (a constant, as an index expression must
 * be; names, companies and skills match word for word in every language): its body per message and its
 * subject per conversation, each GIN with the organization first (`btree_gin`, migration 0008), so a
 * search reads one organization's entries only. Nothing is copied: erasing or deleting InMail leaves no
 * indexed words behind.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index inmail_messages_search on inmail_messages
      using gin (org_id, to_tsvector('simple'::regconfig, body)) with (fastupdate = off);
    create index inmail_conversations_search on inmail_conversations
      using gin (org_id, to_tsvector('simple'::regconfig, subject)) with (fastupdate = off);
  `.execute(db);
}
