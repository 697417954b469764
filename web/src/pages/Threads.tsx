/** Threads: the synced mail the recruiter may see (their own, and colleagues' shared ones), newest first. */
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { Empty, Show, When } from '../components/Status.tsx';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { useLoad } from '../components/useLoad.ts';
import { VISIBILITY_WORDS } from '../components/VisibilityControl.tsx';
import { pathTo } from '../paths.ts';
import { useUser } from '../session.tsx';

export function ThreadsPage() {
  const me = useUser();
  const loaded = useLoad(() => api('GET /api/threads'), []);
  const live = useLiveEvents((event) => {
    if (event.type === 'threads') loaded.reload();
  });
  return (
    <section>
      <h1>Threads</h1>
      <p>
        <button type="button" onClick={loaded.reload}>
          Refresh
        </button>{' '}
        <span className="muted live-state">
          {live === 'live' ? 'New mail appears here by itself.' : 'Connecting for live updates…'}
        </span>
      </p>
      <Show loaded={loaded} what="threads">
        {({ threads }) =>
          threads.length === 0 ? (
            <Empty>
              No threads yet. Mail you exchange with candidates appears here once your mailbox is connected.
            </Empty>
          ) : (
            <ul className="threads">
              {threads.map((thread) => (
                <li key={thread.id}>
                  <Link href={pathTo('thread', { id: thread.id })}>
                    {thread.access === 'full'
                      ? thread.subject || '(no subject)'
                      : 'A colleague’s thread (details are private)'}
                  </Link>
                  <div className="muted">
                    {thread.participants.map((p) => p.name || p.address).join(', ')} · {thread.messageCount}{' '}
                    {thread.messageCount === 1 ? 'message' : 'messages'} · <When at={thread.lastMessageAt} />{' '}
                    · {thread.ownerUserId === me.user.id ? 'yours' : 'a colleague’s'},{' '}
                    {VISIBILITY_WORDS[thread.visibility].toLowerCase()}
                  </div>
                  {thread.members.length > 0 && (
                    <div>
                      Candidates:{' '}
                      {thread.members.map((member, index) => (
                        <span key={member.id}>
                          {index > 0 && ', '}
                          <Link href={pathTo('candidate', { id: member.id })}>{member.name}</Link>
                        </span>
                      ))}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}
