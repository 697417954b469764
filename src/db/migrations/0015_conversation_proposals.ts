/**
 * The candidate page lists a conversation's interview proposals (`GET /api/inmail/conversations/{id}/proposals`),
 * newest first: one index, organization first, serves that read and the cascade when a conversation goes.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index interview_proposals_conversation
      on interview_proposals (org_id, conversation_id, created_at desc, id desc);
  `.execute(db);
}
