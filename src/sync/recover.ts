/** After a cursor reset, the deletions it forgot: stored messages that are gone or in Trash now (R13). */
import type { Connection } from '../db/connections.ts';
import type { Database } from '../db/database.ts';
import { storedIdsSince } from '../db/mail.ts';
import type { MailSource } from '../providers/types.ts';

/** At most this many recent messages are re-checked; older ones were seen by syncs before the gap. */
const RECHECK_LIMIT = 10_000;

/** Provider ids of messages stored since `since` that the mailbox no longer has outside Trash. */
export async function verifyStoredSince(
  db: Database,
  connection: Connection,
  mail: MailSource,
  token: string,
  since: Date,
): Promise<string[]> {
  const ids = await storedIdsSince(db, connection.orgId, connection.id, since, RECHECK_LIMIT);
  const gone: string[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    const headers = await mail.headers(token, chunk);
    for (const id of chunk) {
      const header = headers.get(id);
      if (!header || header.flags.trash) gone.push(id);
    }
  }
  return gone;
}
