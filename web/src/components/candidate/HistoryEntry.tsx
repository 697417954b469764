/**
 * One entry of a candidate's history (R17): an InMail conversation or an email thread, with its owner,
 * visibility and direction; it opens in place. An email thread's owner sets who sees it (R15) and may
 * erase it (R16).
 */
import { useState } from 'react';
import { Link } from 'wouter';
import type { GetMembersIdHistoryResponse } from '../../api/types.ts';
import { pathTo } from '../../paths.ts';
import { useUser } from '../../session.tsx';
import { Direction } from '../Direction.tsx';
import { When } from '../Status.tsx';
import { VISIBILITY_WORDS, VisibilityControl } from '../VisibilityControl.tsx';
import { Conversation } from './Conversation.tsx';
import { EraseThread } from './EraseThread.tsx';
import { ThreadMessages } from './ThreadMessages.tsx';

export type Entry = GetMembersIdHistoryResponse['entries'][number];

export function HistoryEntry({
  entry,
  onChange,
  onErased,
}: {
  entry: Entry;
  onChange: () => void;
  onErased: (words: string) => void;
}) {
  const me = useUser();
  const [open, setOpen] = useState(false);
  const [visibility, setVisibility] = useState(entry.visibility);
  const mine = entry.owner.id === me.user.id;
  const email = entry.kind === 'email';
  const title =
    entry.access === 'full' ? entry.subject || '(no subject)' : `A thread of ${entry.owner.name}’s`;
  const panel = `entry-${entry.kind}-${entry.id}`;
  const people = entry.participants.map((p) => p.name || p.address).join(', ');
  return (
    <li className={`entry ${entry.kind} ${entry.direction}`}>
      <div className="entry-head">
        <span className="badge">{email ? 'Email' : 'InMail'}</span>
        <h3 className="entry-title">
          {email && entry.access === 'full' ? (
            <Link href={pathTo('thread', { id: entry.id })}>{title}</Link>
          ) : (
            title
          )}
        </h3>
      </div>
      <p className="muted">
        <Direction direction={entry.direction} /> last <When at={entry.at} /> · {entry.messageCount}{' '}
        {entry.messageCount === 1 ? 'message' : 'messages'} · {mine ? 'yours' : `${entry.owner.name}’s`} ·{' '}
        {email ? VISIBILITY_WORDS[visibility] : 'InMail: the organization reads it'}
      </p>
      {people && <p className="muted">With {people}</p>}
      {entry.access === 'metadata' && (
        <p className="muted">Its owner lets the team see only that it exists.</p>
      )}
      {entry.snippet && !open && <p className="snippet">{entry.snippet}</p>}
      <button type="button" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
        {open ? 'Hide' : 'Show'} {email ? 'the messages' : 'the conversation'}
        <span className="visually-hidden"> of “{title}”</span>
      </button>
      <div id={panel} hidden={!open}>
        {open &&
          (email ? <ThreadMessages id={entry.id} /> : <Conversation id={entry.id} onChange={onChange} />)}
      </div>
      {email && mine && (
        <div className="owner-controls">
          <VisibilityControl threadId={entry.id} visibility={visibility} onChange={setVisibility} />
          <EraseThread
            threadId={entry.id}
            title={title}
            messageCount={entry.messageCount}
            onErased={onErased}
          />
        </div>
      )}
    </li>
  );
}
