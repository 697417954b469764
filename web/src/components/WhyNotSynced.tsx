/**
 * R19: "why didn't this email sync?", asked by Message-ID. The answer names a rule in words and never
 * anything of the message; "no member can be found" stays one answer, whatever the reason behind it.
 */
import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { GetSyncWhyResponse } from '../api/types.ts';
import { pathTo } from '../paths.ts';
import { problemText } from './admin/words.ts';
import { Problem, When } from './Status.tsx';

/** A headline for each R19 rule; the API's explanation follows it. */
const RULES: Record<string, string> = {
  before_authorization: 'It is from before your mailbox was connected.',
  draft_or_spam: 'It is a draft, a chat, or spam.',
  internal_only: 'Only colleagues are on it.',
  no_member: 'No candidate can be found by its addresses.',
  unreadable: 'It could not be read, so it was set aside.',
};

export function WhyNotSynced() {
  const [messageId, setMessageId] = useState('');
  const [answer, setAnswer] = useState<GetSyncWhyResponse>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setAnswer(undefined);
    try {
      setAnswer(await api('GET /api/sync/why', { query: { messageId: messageId.trim() } }));
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="why" className="card">
      <h2 id="why">Why didn’t this email sync?</h2>
      <form onSubmit={(event) => void ask(event)}>
        <label htmlFor="message-id">Message-ID of the email</label>
        <p className="muted" id="message-id-help">
          Your mail program shows it in the message’s headers (“Show original”), like
          &lt;abc123@mail.example&gt;.
        </p>
        <input
          id="message-id"
          aria-describedby="message-id-help"
          value={messageId}
          onChange={(event) => setMessageId(event.target.value)}
          required
          maxLength={1000}
          autoComplete="off"
        />
        <button type="submit" disabled={busy || messageId.trim() === ''}>
          Look it up
        </button>
      </form>
      <div aria-live="polite" className="why-answer">
        {busy && <p role="status">Looking it up…</p>}
        {problem && <Problem message={problem} />}
        {answer && <Answer answer={answer} />}
      </div>
    </section>
  );
}

function Answer({ answer }: { answer: GetSyncWhyResponse }) {
  if (answer.status === 'synced') {
    return (
      <div className="answer synced">
        <p>
          <strong>Synced.</strong> {answer.explanation}
        </p>
        {answer.threadId && <Link href={pathTo('thread', { id: answer.threadId })}>Open its thread</Link>}
      </div>
    );
  }
  if (answer.status === 'skipped') {
    return (
      <div className="answer skipped">
        <p>
          <strong>Not synced. {(answer.rule && RULES[answer.rule]) ?? ''}</strong> {answer.explanation}
        </p>
        {answer.decidedAt && (
          <p className="muted">
            Decided <When at={answer.decidedAt} />.
          </p>
        )}
      </div>
    );
  }
  return (
    <div className="answer unknown">
      <p>
        <strong>Not found.</strong> {answer.explanation}
      </p>
    </div>
  );
}
