/**
 * A thread's messages in order (sent and received told apart), each body read on its own
 * (`GET /api/messages/{id}`) and rendered inert by `MailBody`; a `metadata` thread's messages carry no
 * content, and a note says its owner shares only that it exists. The Thread page and a thread opened in
 * place on the candidate page both show a thread this way.
 */
import { api } from '../api/client.ts';
import type { GetThreadsIdResponse } from '../api/types.ts';
import { Direction } from './Direction.tsx';
import { MailBody } from './MailBody.tsx';
import { Show, When } from './Status.tsx';
import { useLoad } from './useLoad.ts';

type Message = GetThreadsIdResponse['messages'][number];
type Address = { address: string; name?: string };

export const nameOf = (person: Address) => person.name || person.address;

export function Messages({ thread, messages }: GetThreadsIdResponse) {
  return (
    <>
      {thread.access === 'metadata' && (
        <p className="muted">
          Its owner lets the team see only that this thread exists: who took part, when, and how many
          messages.
        </p>
      )}
      <ol className="messages">
        {messages.map((message) => (
          <MessageItem key={message.id} message={message} />
        ))}
      </ol>
    </>
  );
}

function MessageItem({ message }: { message: Message }) {
  const from = message.from ? nameOf(message.from) : 'unknown sender';
  return (
    <li className={`message ${message.direction}`}>
      <p>
        <Direction direction={message.direction} /> · from {from} to{' '}
        {message.to.map(nameOf).join(', ') || '—'} · <When at={message.sentAt ?? message.receivedAt} />
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

/** A message's body, read on its own: a thread lists its messages without bodies. */
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
