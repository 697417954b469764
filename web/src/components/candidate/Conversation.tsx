/**
 * An InMail conversation opened in place: its messages in order (InMail is plain text), and for the
 * recruiter who started it a reply box and the interview scheduling (R18).
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useUser } from '../../session.tsx';
import { Direction } from '../Direction.tsx';
import { Problem, Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { Interviews } from './Interviews.tsx';
import { wordsOf } from './usePaged.ts';

export function Conversation({ id, onChange }: { id: string; onChange?: () => void }) {
  const me = useUser();
  const loaded = useLoad(() => api('GET /api/inmail/conversations/:id', { params: { id } }), [id]);
  const changed = () => {
    loaded.reload();
    onChange?.();
  };
  return (
    <Show loaded={loaded} what="the conversation">
      {(conversation) => {
        const mine = conversation.userId === me.user.id;
        return (
          <div className="opened">
            <p className="muted">
              InMail between {conversation.userName} and {conversation.memberName} · started{' '}
              <When at={conversation.createdAt} />
            </p>
            <ol className="messages">
              {conversation.messages.map((message) => (
                <li key={message.id} className={`message ${message.sender === 'user' ? 'sent' : 'received'}`}>
                  <p>
                    <Direction direction={message.sender === 'user' ? 'sent' : 'received'} /> · from{' '}
                    {message.sender === 'user' ? conversation.userName : conversation.memberName} ·{' '}
                    <When at={message.createdAt} />
                  </p>
                  <p className="inmail-body">{message.body}</p>
                </li>
              ))}
            </ol>
            {mine ? (
              <>
                <Reply conversationId={id} onSent={changed} />
                <Interviews conversationId={id} onChange={changed} />
              </>
            ) : (
              <p className="muted">
                Only {conversation.userName}, who started this conversation, writes in it and proposes times.
              </p>
            )}
          </div>
        );
      }}
    </Show>
  );
}

function Reply({ conversationId, onSent }: { conversationId: string; onSent: () => void }) {
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const field = `reply-${conversationId}`;
  const send = async () => {
    setSending(true);
    setProblem(undefined);
    try {
      await api('POST /api/inmail/conversations/:id/messages', {
        params: { id: conversationId },
        body: { body },
      });
      setBody('');
      onSent();
    } catch (error) {
      setProblem(wordsOf(error));
    } finally {
      setSending(false);
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <label htmlFor={field}>Reply by InMail</label>
      <textarea id={field} value={body} onChange={(e) => setBody(e.target.value)} rows={3} required />
      <button type="submit" disabled={sending || body.trim() === ''}>
        {sending ? 'Sending…' : 'Send reply'}
      </button>
      {problem && <Problem message={`The reply was not sent: ${problem}`} />}
    </form>
  );
}
