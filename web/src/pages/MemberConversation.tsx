/**
 * One InMail conversation, the candidate's side: the messages, oldest first, and a reply. A booking link
 * in a proposal opens the booking page in the app; other links open in a new tab.
 */
import { type FormEvent, Fragment, type ReactNode, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { PAGES } from '../paths.ts';

export function MemberConversationPage({ id }: { id: string }) {
  const loaded = useLoad(() => api('GET /api/inmail/conversations/:id', { params: { id } }), [id]);
  return (
    <section className="narrow member">
      <p>
        <Link href={PAGES.home}>← Home</Link>
      </p>
      <Show loaded={loaded} what="the conversation">
        {(conversation) => (
          <>
            <h1>{conversation.subject}</h1>
            <p className="muted">
              With {conversation.userName} · {conversation.organizationName}
            </p>
            <ol className="messages">
              {conversation.messages.map((message) => (
                <li
                  key={message.id}
                  className={`message ${message.sender === 'member' ? 'sent' : 'received'}`}
                >
                  <p className="muted">
                    {message.sender === 'member' ? 'You' : conversation.userName} ·{' '}
                    <When at={message.createdAt} />
                  </p>
                  <p className="inmail-body">
                    <Linked text={message.body} />
                  </p>
                </li>
              ))}
            </ol>
            <Reply conversationId={conversation.id} onSent={loaded.reload} />
          </>
        )}
      </Show>
    </section>
  );
}

function Reply({ conversationId, onSent }: { conversationId: string; onSent: () => void }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await api('POST /api/inmail/conversations/:id/messages', {
        params: { id: conversationId },
        body: { body },
      });
      setBody('');
      onSent();
    } catch (error) {
      setProblem(`Your reply was not sent: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void send(event)} className="card">
      <label>
        Your reply
        <textarea value={body} onChange={(event) => setBody(event.target.value)} rows={4} maxLength={20000} />
      </label>
      {problem && <Problem message={problem} />}
      <button type="submit" className="primary" disabled={busy || !body.trim()}>
        Send reply
      </button>
    </form>
  );
}

const URL_PATTERN = /https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)]/g;

/** The text with its web addresses as links: this app's own pages inside the app, others in a new tab. */
function Linked({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const at = match.index ?? 0;
    parts.push(text.slice(last, at));
    const url = URL.parse(match[0]);
    parts.push(
      !url ? (
        match[0]
      ) : url.origin === window.location.origin ? (
        <Link key={at} href={url.pathname}>
          {match[0]}
        </Link>
      ) : (
        <a key={at} href={url.href} target="_blank" rel="noopener noreferrer">
          {match[0]}
        </a>
      ),
    );
    last = at + match[0].length;
  }
  parts.push(text.slice(last));
  return (
    <>
      {parts.map((part, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in their order
        <Fragment key={index}>{part}</Fragment>
      ))}
    </>
  );
}
