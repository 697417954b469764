/** Search within one candidate's history, as the viewer may see it: newest first, "load more". */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { GetMembersIdHistorySearchResponse } from '../../api/types.ts';
import { Direction } from '../Direction.tsx';
import { When } from '../Status.tsx';
import { VISIBILITY_WORDS } from '../VisibilityControl.tsx';
import { Conversation } from './Conversation.tsx';
import { PagedList } from './PagedList.tsx';
import { ThreadMessages } from './ThreadMessages.tsx';
import { PAGE_SIZE } from './useHistory.ts';
import { usePaged } from './usePaged.ts';

type Hit = GetMembersIdHistorySearchResponse['hits'][number];

export function HistorySearch({ memberId }: { memberId: string }) {
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const field = `search-${memberId}`;
  return (
    <section className="history-search" aria-labelledby={`${field}-heading`}>
      <h2 id={`${field}-heading`}>Search this history</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(typed.trim());
        }}
      >
        <label htmlFor={field}>Words to find</label>
        <input
          id={field}
          type="search"
          value={typed}
          maxLength={200}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" disabled={typed.trim() === ''}>
          Search
        </button>
        {query && (
          <button
            type="button"
            onClick={() => {
              setTyped('');
              setQuery('');
            }}
          >
            Clear search
          </button>
        )}
      </form>
      {query && <Results memberId={memberId} query={query} />}
    </section>
  );
}

function Results({ memberId, query }: { memberId: string; query: string }) {
  const paged = usePaged(async (cursor) => {
    const { hits, nextCursor } = await api('GET /api/members/:id/history/search', {
      params: { id: memberId },
      query: { q: query, cursor, limit: PAGE_SIZE },
    });
    return { items: hits, nextCursor };
  }, `${memberId} ${query}`);
  return (
    <div aria-live="polite">
      <PagedList
        paged={paged}
        what="results"
        moreLabel="Show older results"
        className="timeline search-hits"
        empty={<>Nothing in this history you may see matches “{query}”.</>}
      >
        {(hit) => <HitItem key={`${hit.kind}-${hit.threadId}-${hit.messageId ?? hit.at}`} hit={hit} />}
      </PagedList>
    </div>
  );
}

function HitItem({ hit }: { hit: Hit }) {
  const [open, setOpen] = useState(false);
  const panel = `hit-${hit.threadId}-${hit.messageId ?? hit.at}`;
  const title = hit.access === 'full' ? hit.subject || '(no subject)' : `A thread of ${hit.owner.name}’s`;
  return (
    <li className={`entry ${hit.kind} ${hit.direction}`}>
      <p className="entry-head">
        <span className="badge">{hit.kind === 'email' ? 'Email' : 'InMail'}</span> <strong>{title}</strong>
      </p>
      <p className="muted">
        <Direction direction={hit.direction} /> <When at={hit.at} /> · {hit.owner.name} ·{' '}
        {hit.kind === 'email' ? VISIBILITY_WORDS[hit.visibility] : 'InMail'}
      </p>
      {hit.snippet && <p className="snippet">{hit.snippet}</p>}
      <button type="button" aria-expanded={open} aria-controls={panel} onClick={() => setOpen(!open)}>
        {open ? 'Close' : hit.kind === 'email' ? 'Open the thread' : 'Open the conversation'}
      </button>
      <div id={panel} hidden={!open}>
        {open &&
          (hit.kind === 'email' ? <ThreadMessages id={hit.threadId} /> : <Conversation id={hit.threadId} />)}
      </div>
    </li>
  );
}
