/**
 * Every user's mailbox connection as an admin may see it (R15): status, last sync, counts and the last
 * problem in words; never any mail. One page at a time, by email, with the API's cursors.
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { Empty, Loading, Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { Pager } from './Pager.tsx';
import { ProblemText } from './ProblemText.tsx';
import { ADMIN_STATUS, lastProblem, MAILBOX_PROVIDERS } from './words.ts';

const PAGE_SIZE = 25;

export function UsersTable({ round }: { round: number }) {
  // The cursors of the pages before this one; the last is this page's own (undefined: the first page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  // Each answer carries the cursor it is for: while another page loads, the old one is not shown as it.
  const loaded = useLoad(
    async () => ({ cursor, ...(await api('GET /api/connections', { query: { limit: PAGE_SIZE, cursor } })) }),
    [cursor, round],
  );
  return (
    <section aria-labelledby="users">
      <h2 id="users">Users and their mailboxes</h2>
      <Show loaded={loaded} what="the users">
        {({ users, nextCursor, cursor: shown }) =>
          shown !== cursor ? (
            <Loading what="the users" />
          ) : users.length === 0 ? (
            <Empty>No users yet.</Empty>
          ) : (
            <>
              <table className="users">
                <caption className="visually-hidden">Each user’s mailbox connection</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Mailbox</th>
                    <th scope="col">Status</th>
                    <th scope="col">Last sync</th>
                    <th scope="col">Last problem</th>
                  </tr>
                </thead>
                <tbody>
                  {users.map(({ user, connection }) => {
                    const status = connection && ADMIN_STATUS[connection.status];
                    const problem = connection && lastProblem(connection);
                    return (
                      <tr key={user.id} data-user={user.email}>
                        <th scope="row">
                          {user.name}
                          <br />
                          <span className="muted">{user.email}</span>
                        </th>
                        <td>{connection?.address ?? 'Not connected'}</td>
                        <td>
                          {status ? (
                            <>
                              <span className={`state ${connection.status}`}>{status.label}</span>
                              <span className="muted"> · {MAILBOX_PROVIDERS[connection.provider]}</span>
                              <br />
                              <span className="muted">{status.meaning}</span>
                            </>
                          ) : (
                            <span className="muted">Has not connected a mailbox.</span>
                          )}
                        </td>
                        <td>
                          {connection?.sync.lastSyncAt ? (
                            <>
                              <When at={connection.sync.lastSyncAt} />
                              <br />
                              <span className="muted">{connection.sync.messagesSynced} messages synced</span>
                            </>
                          ) : connection ? (
                            'Not yet'
                          ) : (
                            '—'
                          )}
                        </td>
                        <td>
                          {problem ? <ProblemText problem={problem} /> : 'None'}
                          {problem && connection?.lastErrorAt && (
                            <>
                              <br />
                              <span className="muted">
                                <When at={connection.lastErrorAt} />
                              </span>
                            </>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <Pager
                label="Pages of users"
                previous={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
                next={nextCursor ? () => setCursors([...cursors, nextCursor]) : undefined}
                page={cursors.length}
              />
            </>
          )
        }
      </Show>
    </section>
  );
}
