/**
 * What a member's history (R17) and a member's erasure (R16) need to stay fast on a big database
 * (`npm run bench:history`: 1,000,000 messages):
 * - `message_members.thread_id`, copied from the message (a message never changes thread), with an
 *   index on (org_id, member_id, thread_id, message_id): the threads of a member in one organization are
 *   one index-only range, instead of one lookup in the wide `messages` table per linked message.
 * - `message_addresses(…)`: the lowercased addresses of a message's headers as an array, and a GIN index
 *   on it, so an erasure finds the messages naming an address without reading every message's headers.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table message_members add column thread_id uuid;
    update message_members mm set thread_id = m.thread_id
      from messages m where m.org_id = mm.org_id and m.id = mm.message_id;
    alter table message_members alter column thread_id set not null;
    create index message_members_threads on message_members (org_id, member_id, thread_id, message_id);

    create function message_addresses(from_address jsonb, to_addresses jsonb, cc_addresses jsonb, bcc_addresses jsonb)
      returns text[] language sql immutable parallel safe
      return array(
        select distinct lower(a->>'address') from jsonb_array_elements(
          case when from_address is null then '[]'::jsonb else jsonb_build_array(from_address) end
          || to_addresses || cc_addresses || bcc_addresses) a
        where a->>'address' is not null);
    create index messages_addresses on messages
      using gin (message_addresses(from_address, to_addresses, cc_addresses, bcc_addresses));
  `.execute(db);
}
