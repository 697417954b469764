/**
 * A candidate: their profile, their communication history (R17) with InMail and email in one timeline,
 * newest first, each entry opening in place; search within it; per thread its owner's visibility
 * control (R15) and erasure (R16); an InMail to write, and from the InMail conversation an interview to
 * schedule (R18). `history.refresh()` is the one call that shows new mail.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.ts';
import { HistoryEntry } from '../components/candidate/HistoryEntry.tsx';
import { HistorySearch } from '../components/candidate/HistorySearch.tsx';
import { PagedList } from '../components/candidate/PagedList.tsx';
import { useHistory } from '../components/candidate/useHistory.ts';
import { WriteInMail } from '../components/candidate/WriteInMail.tsx';
import { Show } from '../components/Status.tsx';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { useLoad } from '../components/useLoad.ts';
import { PAGES } from '../paths.ts';

export function CandidatePage({ id }: { id: string }) {
  const profile = useLoad(() => api('GET /api/members/:id', { params: { id } }), [id]);
  const history = useHistory(id);
  const [notice, setNotice] = useState<string>();
  // New mail shows without a reload: the owner hears `history` for this member; a colleague hears only
  // `threads` (which member changed is not theirs to know), and the history is read again either way.
  useLiveEvents((event) => {
    if (event.type === 'threads' || event.memberId === id) history.refresh();
  });
  return (
    <section className="candidate">
      <p>
        <Link href={PAGES.candidates}>← Find a candidate</Link>
      </p>
      <Show loaded={profile} what="the candidate">
        {(member) => (
          <>
            <header className="profile card">
              <h1>{member.name}</h1>
              <p>{member.headline || 'No headline'}</p>
              {'emails' in member && member.emails.length > 0 ? (
                <p className="muted">Addresses: {member.emails.join(', ')}</p>
              ) : (
                <p className="muted">The directory does not show a candidate’s addresses to recruiters.</p>
              )}
            </header>
            <div className="history-head">
              <h2>Communication history</h2>
              <button type="button" onClick={history.refresh}>
                Refresh
              </button>
            </div>
            <p className="status" role="status">
              {notice}
            </p>
            <PagedList
              paged={history}
              what="the history"
              moreLabel="Show older entries"
              className="timeline"
              empty="No InMail or email with this candidate that you may see yet."
            >
              {(entry) => (
                <HistoryEntry
                  key={`${entry.kind}-${entry.id}`}
                  entry={entry}
                  onChange={history.refresh}
                  onErased={(words) => {
                    setNotice(words);
                    history.refresh();
                  }}
                />
              )}
            </PagedList>
            <HistorySearch memberId={id} />
            <WriteInMail memberId={id} memberName={member.name} onSent={history.refresh} />
          </>
        )}
      </Show>
    </section>
  );
}
