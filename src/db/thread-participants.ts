/** The participants of a synced thread, as one SQL column shared by every read that shows them. */
import { type RawBuilder, sql } from 'kysely';
import type { StoredAddress } from './schema.ts';
import { content, type Viewer } from './visibility.ts';

/**
 * Every address on the messages of thread `t` once (the first name it came with), by address. Participants
 * are what every viewer who sees the thread learns of it, `metadata` included (R15). Bcc recipients are
 * not: the sender hid them from the other recipients, so only a viewer of the content learns them.
 */
export function threadParticipants(viewer: Viewer): RawBuilder<StoredAddress[]> {
  return sql<StoredAddress[]>`coalesce((
    select jsonb_agg(p.a order by p.a->>'address') from (
      select distinct on (lower(a->>'address')) a
      from messages m, jsonb_array_elements(
        case when m.from_address is null then '[]'::jsonb else jsonb_build_array(m.from_address) end
        || m.to_addresses || m.cc_addresses || ${blindCopies(viewer)}) a
      where m.org_id = t.org_id and m.thread_id = t.id
      order by lower(a->>'address'), (a ? 'name') desc, m.received_at) p), '[]')`;
}

/** A message's Bcc addresses for a viewer of thread `t`'s content; none for a `metadata` viewer. */
export function blindCopies(viewer: Viewer): RawBuilder<StoredAddress[]> {
  return sql<StoredAddress[]>`coalesce(${content<StoredAddress[]>(viewer, 'm.bcc_addresses')}, '[]'::jsonb)`;
}
