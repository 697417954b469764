/**
 * A candidate: their profile and their communication history (R17), InMail and email in one timeline,
 * newest first; each email thread opens in place, and its owner sets who can see it (R15).
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import type { GetMembersIdHistoryResponse } from '../api/types.ts';
import { Empty, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { VISIBILITY_WORDS, VisibilityControl } from '../components/VisibilityControl.tsx';
import { pathTo } from '../paths.ts';
import { useUser } from '../session.tsx';

type Entry = GetMembersIdHistoryResponse['entries'][number];

export function CandidatePage({ id }: { id: string }) {
  const profile = useLoad(() => api('GET /api/members/:id', { params: { id } }), [id]);
  const history = useLoad(() => api('GET /api/members/:id/history', { params: { id } }), [id]);
  return (
    <section>
      <Show loaded={profile} what="the candidate">
        {(member) => (
          <header className="profile">
            <h1>{member.name}</h1>
            <p>{member.headline || 'No headline'}</p>
          </header>
        )}
      </Show>
      <h2>Communication history</h2>
      <p>
        <button type="button" onClick={history.reload}>
          Refresh
        </button>
      </p>
      <Show loaded={history} what="the history">
        {({ entries }) =>
          entries.length === 0 ? (
            <Empty>No InMail or email with this candidate that you may see yet.</Empty>
          ) : (
            <ol className="timeline">
              {entries.map((entry) => (
                <HistoryItem key={`${entry.kind}-${entry.id}`} entry={entry} />
              ))}
            </ol>
          )
        }
      </Show>
    </section>
  );
}

function HistoryItem({ entry }: { entry: Entry }) {
  const me = useUser();
  const [visibility, setVisibility] = useState(entry.visibility);
  const mine = entry.kind === 'email' && entry.owner.id === me.user.id;
  const title =
    entry.access === 'full' ? entry.subject || '(no subject)' : `A thread of ${entry.owner.name}’s`;
  return (
    <li className={`entry ${entry.kind} ${entry.direction}`}>
      <p className="entry-head">
        <span className="badge">{entry.kind === 'inmail' ? 'InMail' : 'Email'}</span>{' '}
        {entry.kind === 'email' && entry.access === 'full' ? (
          <Link href={pathTo('thread', { id: entry.id })}>{title}</Link>
        ) : (
          <span>{title}</span>
        )}
      </p>
      <p className="muted">
        {entry.direction === 'sent' ? 'Last sent' : 'Last received'} <When at={entry.at} /> ·{' '}
        {entry.messageCount} {entry.messageCount === 1 ? 'message' : 'messages'} · {entry.owner.name}
        {entry.kind === 'email' && <> · {VISIBILITY_WORDS[visibility]}</>}
      </p>
      {entry.snippet && <p className="snippet">{entry.snippet}</p>}
      {mine && <VisibilityControl threadId={entry.id} visibility={visibility} onChange={setVisibility} />}
    </li>
  );
}
