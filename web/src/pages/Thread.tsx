/** One thread: its messages (sent and received told apart), each body inert in its frame; R15 for its owner. */
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { GetThreadsIdResponse } from '../api/types.ts';
import { MailBody } from '../components/MailBody.tsx';
import { Show, When } from '../components/Status.tsx';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { useLoad } from '../components/useLoad.ts';
import { VisibilityControl } from '../components/VisibilityControl.tsx';
import { PAGES, pathTo } from '../paths.ts';
import { useUser } from '../session.tsx';

type Message = GetThreadsIdResponse['messages'][number];

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
            {thread.access === 'metadata' && (
              <p className="muted">
                Its owner lets the team see that this thread exists: who took part, when, and how many
                messages.
              </p>
            )}
            <ol className="messages">
              {messages.map((message) => (
                <MessageItem key={message.id} message={message} />
              ))}
            </ol>
          </>
        )}
      </Show>
    </section>
  );
}

function MessageItem({ message }: { message: Message }) {
  const from = message.from ? message.from.name || message.from.address : 'unknown sender';
  return (
    <li className={`message ${message.direction}`}>
      <p>
        <strong>{message.direction === 'sent' ? 'Sent' : 'Received'}</strong> · from {from} to{' '}
        {message.to.map((to) => to.name || to.address).join(', ') || '—'} ·{' '}
        <When at={message.sentAt ?? message.receivedAt} />
      </p>
      {message.access === 'full' && (
        <>
          {message.subject && <p className="subject">{message.subject}</p>}
          <MessageBody id={message.id} title={`Message from ${from}`} />
          {message.attachments && message.attachments.length > 0 && (
            <p className="muted">
              Attachments (names only; contents are not kept):{' '}
              {message.attachments.map((a) => a.filename ?? a.contentType).join(', ')}
            </p>
          )}
        </>
      )}
    </li>
  );
}

/** A message's body, read on its own (`GET /api/messages/{id}`): a thread lists its messages without bodies. */
function MessageBody({ id, title }: { id: string; title: string }) {
  const loaded = useLoad(() => api('GET /api/messages/:id', { params: { id } }), [id]);
  return (
    <Show loaded={loaded} what="the message">
      {(message) => (
        <>
          <MailBody html={message.bodyHtml ?? null} text={message.bodyText ?? ''} title={title} />
          {message.truncated && (
            <p className="muted">This message was too large to keep whole: only part of it is shown.</p>
          )}
        </>
      )}
    </Show>
  );
}
