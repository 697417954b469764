/**
 * Write an InMail to the candidate: in the recruiter's own conversation with them when there is one
 * (only its starter writes in it), else a new conversation with a subject.
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useUser } from '../../session.tsx';
import { Problem, Show } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { wordsOf } from './usePaged.ts';

export function WriteInMail({
  memberId,
  memberName,
  onSent,
}: {
  memberId: string;
  memberName: string;
  onSent: () => void;
}) {
  const me = useUser();
  const conversations = useLoad(
    () => api('GET /api/inmail/conversations', { query: { memberId, limit: 100 } }),
    [memberId],
  );
  return (
    <section className="card write-inmail" aria-labelledby="write-inmail">
      <h2 id="write-inmail">Write an InMail</h2>
      <Show loaded={conversations} what="your conversations">
        {({ conversations: list }) => {
          const own = list.find((conversation) => conversation.userId === me.user.id);
          return (
            <Composer
              memberId={memberId}
              memberName={memberName}
              conversation={own && { id: own.id, subject: own.subject }}
              onSent={() => {
                conversations.reload();
                onSent();
              }}
            />
          );
        }}
      </Show>
    </section>
  );
}

function Composer({
  memberId,
  memberName,
  conversation,
  onSent,
}: {
  memberId: string;
  memberName: string;
  conversation: { id: string; subject: string } | undefined;
  onSent: () => void;
}) {
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [sent, setSent] = useState<string>();
  const send = async () => {
    setSending(true);
    setProblem(undefined);
    setSent(undefined);
    try {
      if (conversation) {
        await api('POST /api/inmail/conversations/:id/messages', {
          params: { id: conversation.id },
          body: { body },
        });
      } else {
        await api('POST /api/inmail/conversations', { body: { memberId, subject, body } });
      }
      setBody('');
      setSubject('');
      setSent(`Your InMail to ${memberName} was sent.`);
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
      {conversation ? (
        <p className="muted">In your conversation “{conversation.subject}”.</p>
      ) : (
        <>
          <label htmlFor="inmail-subject">Subject</label>
          <input
            id="inmail-subject"
            value={subject}
            maxLength={300}
            onChange={(e) => setSubject(e.target.value)}
            required
          />
        </>
      )}
      <label htmlFor="inmail-body">Your InMail</label>
      <textarea
        id="inmail-body"
        rows={4}
        maxLength={20000}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        required
      />
      <button
        type="submit"
        className="primary"
        disabled={sending || body.trim() === '' || (!conversation && subject.trim() === '')}
      >
        {sending ? 'Sending…' : 'Send InMail'}
      </button>
      <span role="status" className="muted">
        {sent}
      </span>
      {problem && <Problem message={`The InMail was not sent: ${problem}`} />}
    </form>
  );
}
