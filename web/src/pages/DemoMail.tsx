/**
 * Demo only: the sandbox's mailboxes of the demo people (Google and Microsoft). Write in as a candidate,
 * reply as the recruiter, move a message to the trash or delete it, and watch Threads follow within
 * seconds. The API relays each action to the sandbox's control API; outside the demo it answers 404.
 */
import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import type { GetDemoMailboxesResponse } from '../api/types.ts';
import { Empty, Loading, Problem } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';

type Mailbox = GetDemoMailboxesResponse['mailboxes'][number];
type Candidate = GetDemoMailboxesResponse['candidates'][number];

const PROVIDER_WORDS = { google: 'Google Workspace (Gmail)', microsoft: 'Microsoft 365 (Outlook)' } as const;

export function DemoMailPage() {
  const loaded = useLoad(() => api('GET /api/demo/mailboxes'), []);
  if (loaded.state === 'loading') return <Loading what="the sandbox mailboxes" />;
  if (loaded.state === 'error') {
    return (
      <section>
        <h1>Sandbox mail</h1>
        <Problem message={`Could not load the sandbox mailboxes: ${loaded.message}`} retry={loaded.reload} />
      </section>
    );
  }
  const { mailboxes, candidates } = loaded.data;
  return (
    <section>
      <h1>Sandbox mail</h1>
      <p>
        This is the demo’s stand-in for Gmail and Outlook. Make mail arrive and leave here, then watch{' '}
        <em>Threads</em> follow within seconds, without a reload. Only the mailbox of a connected recruiter
        syncs, and only mail with a candidate.
      </p>
      <WriteIn mailboxes={mailboxes} candidates={candidates} onDone={loaded.reload} />
      {(['google', 'microsoft'] as const).map((provider) => (
        <section key={provider} aria-labelledby={`provider-${provider}`}>
          <h2 id={`provider-${provider}`}>{PROVIDER_WORDS[provider]}</h2>
          {mailboxes
            .filter((mailbox) => mailbox.provider === provider)
            .map((mailbox) => (
              <MailboxCard
                key={`${provider}-${mailbox.email}`}
                mailbox={mailbox}
                candidates={candidates}
                onDone={loaded.reload}
              />
            ))}
        </section>
      ))}
    </section>
  );
}

function useAction(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
      onDone();
    } catch (error) {
      setProblem(error instanceof ApiError || error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, run };
}

function WriteIn({
  mailboxes,
  candidates,
  onDone,
}: {
  mailboxes: Mailbox[];
  candidates: Candidate[];
  onDone: () => void;
}) {
  const [from, setFrom] = useState(candidates[0]?.address ?? '');
  const [to, setTo] = useState(mailboxes[0] ? `${mailboxes[0].provider} ${mailboxes[0].email}` : '');
  const [subject, setSubject] = useState('Hello from a candidate');
  const [text, setText] = useState('Here is my CV. When can we talk?');
  const { busy, problem, run } = useAction(onDone);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [provider = 'google', email = ''] = to.split(' ');
    void run(() =>
      api('POST /api/demo/mailboxes/:provider/:email/deliver', {
        params: { provider, email },
        body: { from, subject, text },
      }),
    );
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="write-in">
      <h2 id="write-in">A candidate writes to a recruiter</h2>
      <label htmlFor={`${id}-from`}>From</label>
      <select id={`${id}-from`} value={from} onChange={(event) => setFrom(event.target.value)}>
        {candidates.map((candidate) => (
          <option key={candidate.address} value={candidate.address}>
            {candidate.name} &lt;{candidate.address}&gt;
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-to`}>To</label>
      <select id={`${id}-to`} value={to} onChange={(event) => setTo(event.target.value)}>
        {mailboxes.map((mailbox) => (
          <option key={`${mailbox.provider} ${mailbox.email}`} value={`${mailbox.provider} ${mailbox.email}`}>
            {mailbox.name} &lt;{mailbox.email}&gt; at {mailbox.provider === 'google' ? 'Google' : 'Microsoft'}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-subject`}>Subject</label>
      <input
        id={`${id}-subject`}
        value={subject}
        maxLength={200}
        onChange={(event) => setSubject(event.target.value)}
      />
      <label htmlFor={`${id}-message`}>Message</label>
      <textarea
        id={`${id}-message`}
        value={text}
        maxLength={10000}
        rows={3}
        onChange={(event) => setText(event.target.value)}
      />
      <p>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send as the candidate'}
        </button>
      </p>
      {problem && <Problem message={problem} />}
    </form>
  );
}

function MailboxCard({
  mailbox,
  candidates,
  onDone,
}: {
  mailbox: Mailbox;
  candidates: Candidate[];
  onDone: () => void;
}) {
  const { busy, problem, run } = useAction(onDone);
  const [replyTo, setReplyTo] = useState<string>();
  const act = (id: string, action: 'trash' | 'restore' | 'delete') =>
    run(() =>
      api('POST /api/demo/mailboxes/:provider/:email/messages/:id/:action', {
        params: { provider: mailbox.provider, email: mailbox.email, id, action },
      }),
    );
  const titleId = `mailbox-${mailbox.provider}-${mailbox.email.replace(/\W/g, '-')}`;
  return (
    <article className="card mailbox" aria-labelledby={titleId}>
      <h3 id={titleId}>
        {mailbox.name} <span className="muted">&lt;{mailbox.email}&gt;</span>
      </h3>
      {mailbox.messages.length === 0 ? (
        <Empty>No mail in this mailbox.</Empty>
      ) : (
        <ul className="sandbox-messages">
          {mailbox.messages.map((message) => (
            <li key={message.id}>
              <span className="subject">{message.subject || '(no subject)'}</span>{' '}
              <span className="muted">
                · {message.inTrash ? 'in the trash' : message.place || 'archived'}
              </span>
              <span className="actions">
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => setReplyTo(replyTo === message.id ? undefined : message.id)}
                  aria-expanded={replyTo === message.id}
                >
                  Reply as {mailbox.name}
                </button>
                {message.inTrash ? (
                  <button type="button" disabled={busy} onClick={() => void act(message.id, 'restore')}>
                    Restore “{message.subject}”
                  </button>
                ) : (
                  <button type="button" disabled={busy} onClick={() => void act(message.id, 'trash')}>
                    Move “{message.subject}” to the trash
                  </button>
                )}
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() => void act(message.id, 'delete')}
                >
                  Delete “{message.subject}” for good
                </button>
              </span>
              {replyTo === message.id && (
                <Reply
                  mailbox={mailbox}
                  subject={message.subject}
                  inReplyTo={message.id}
                  candidates={candidates}
                  onSent={() => {
                    setReplyTo(undefined);
                    onDone();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {problem && <Problem message={problem} />}
    </article>
  );
}

function Reply({
  mailbox,
  subject,
  inReplyTo,
  candidates,
  onSent,
}: {
  mailbox: Mailbox;
  subject: string;
  inReplyTo: string;
  candidates: Candidate[];
  onSent: () => void;
}) {
  const [to, setTo] = useState(candidates[0]?.address ?? '');
  const [text, setText] = useState('Thanks! Does Tuesday work for a call?');
  const { busy, problem, run } = useAction(onSent);
  const id = useId();
  const reply = subject.toLowerCase().startsWith('re:') ? subject : `Re: ${subject}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(() =>
      api('POST /api/demo/mailboxes/:provider/:email/send', {
        params: { provider: mailbox.provider, email: mailbox.email },
        body: { to, subject: reply, text, inReplyTo },
      }),
    );
  };
  return (
    <form onSubmit={submit} className="reply" aria-label={`Reply to “${subject}” as ${mailbox.name}`}>
      <label htmlFor={`${id}-to`}>To</label>
      <select id={`${id}-to`} value={to} onChange={(event) => setTo(event.target.value)}>
        {candidates.map((candidate) => (
          <option key={candidate.address} value={candidate.address}>
            {candidate.name} &lt;{candidate.address}&gt;
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-reply`}>Reply</label>
      <textarea
        id={`${id}-reply`}
        value={text}
        maxLength={10000}
        rows={2}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Sending…' : `Send as ${mailbox.name}`}
      </button>
      {problem && <Problem message={problem} />}
    </form>
  );
}
