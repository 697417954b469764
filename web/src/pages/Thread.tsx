/** One thread: its subject, candidates and messages (`Messages`); R15's visibility control for its owner. */
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { Messages } from '../components/Messages.tsx';
import { Show } from '../components/Status.tsx';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { useLoad } from '../components/useLoad.ts';
import { VisibilityControl } from '../components/VisibilityControl.tsx';
import { PAGES, pathTo } from '../paths.ts';
import { useUser } from '../session.tsx';

export function ThreadPage({ id }: { id: string }) {
  const me = useUser();
  const loaded = useLoad(() => api('GET /api/threads/:id', { params: { id } }), [id]);
  // A new message, a deletion or a change of level shows without a reload.
  useLiveEvents((event) => {
    if (event.type === 'threads') loaded.reload();
  });
  return (
    <section>
      <p>
        <Link href={PAGES.threads}>← All threads</Link>
      </p>
      <Show loaded={loaded} what="the thread">
        {({ thread, messages }) => (
          <>
            <h1>{thread.access === 'full' ? thread.subject || '(no subject)' : 'A colleague’s thread'}</h1>
            {thread.members.length > 0 && (
              <p>
                Candidates:{' '}
                {thread.members.map((member, index) => (
                  <span key={member.id}>
                    {index > 0 && ', '}
                    <Link href={pathTo('candidate', { id: member.id })}>{member.name}</Link>
                  </span>
                ))}
              </p>
            )}
            {thread.ownerUserId === me.user.id && (
              <VisibilityControl threadId={thread.id} visibility={thread.visibility} />
            )}
            <Messages thread={thread} messages={messages} />
          </>
        )}
      </Show>
    </section>
  );
}
