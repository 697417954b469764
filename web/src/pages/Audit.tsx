/**
 * The organization's audit log (admins): who did what and when, newest first, filtered by action and
 * time range, one page at a time. Entries carry counts and ids, never mail content.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import { ACTION_NAMES, type AuditAction, actorOf, whatOf } from '../components/admin/auditWords.ts';
import { Pager } from '../components/admin/Pager.tsx';
import { Empty, Loading, Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';

const PAGE_SIZE = 50;
/** Enough pages of users to name every actor of a large organization. */
const USER_PAGES = 20;

interface Filter {
  action: AuditAction | '';
  from: string;
  to: string;
}

const NO_FILTER: Filter = { action: '', from: '', to: '' };

/** A `datetime-local` value (the reader's zone) as an RFC 3339 instant, or undefined when blank. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage() {
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [problem, setProblem] = useState<string>();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const names = useLoad(async () => {
    const found = new Map<string, string>();
    let next: string | undefined;
    for (let page = 0; page < USER_PAGES; page += 1) {
      const { users, nextCursor } = await api('GET /api/users', { query: { limit: 200, cursor: next } });
      for (const user of users) found.set(user.id, `${user.name} (${user.email})`);
      if (!nextCursor) break;
      next = nextCursor;
    }
    return found;
  }, []);
  // Each answer carries the filter and cursor it is for: while another page loads, the old one is not shown.
  const events = useLoad(
    async () => ({
      filter,
      cursor,
      ...(await api('GET /api/organization/audit', {
        query: {
          limit: PAGE_SIZE,
          cursor,
          action: filter.action ? [filter.action] : undefined,
          from: instant(filter.from),
          to: instant(filter.to),
        },
      })),
    }),
    [filter, cursor],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && new Date(draft.from) >= new Date(draft.to)) {
      setProblem('“From” must be before “Until”.');
      return;
    }
    setProblem(undefined);
    setCursors([undefined]);
    setFilter(draft);
  };
  const clear = () => {
    setProblem(undefined);
    setDraft(NO_FILTER);
    setCursors([undefined]);
    setFilter(NO_FILTER);
  };
  const filtered = filter.action !== '' || filter.from !== '' || filter.to !== '';
  return (
    <section>
      <h1>Audit log</h1>
      <p className="muted">
        Who changed what in your organization, newest first. It never holds mail content: threads are named by
        a short id.
      </p>
      <form className="card filters" onSubmit={apply} aria-label="Filter the audit log">
        <div>
          <label htmlFor="audit-action">Action</label>
          <select
            id="audit-action"
            value={draft.action}
            onChange={(event) => setDraft({ ...draft, action: event.target.value as Filter['action'] })}
          >
            <option value="">All actions</option>
            {(Object.keys(ACTION_NAMES) as AuditAction[]).map((action) => (
              <option key={action} value={action}>
                {ACTION_NAMES[action]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-from">From</label>
          <input
            id="audit-from"
            type="datetime-local"
            value={draft.from}
            onChange={(event) => setDraft({ ...draft, from: event.target.value })}
          />
        </div>
        <div>
          <label htmlFor="audit-to">Until</label>
          <input
            id="audit-to"
            type="datetime-local"
            value={draft.to}
            onChange={(event) => setDraft({ ...draft, to: event.target.value })}
          />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Show entries
          </button>{' '}
          <button type="button" onClick={clear} disabled={!filtered && draft === NO_FILTER}>
            Clear filters
          </button>
        </div>
      </form>
      {problem && <Problem message={problem} />}
      <Show loaded={events} what="the audit log">
        {(page) =>
          page.filter !== filter || page.cursor !== cursor ? (
            <Loading what="the audit log" />
          ) : page.events.length === 0 ? (
            <Empty>{filtered ? 'No entries match these filters.' : 'Nothing has been recorded yet.'}</Empty>
          ) : (
            <>
              <ol className="audit" aria-label="Audit entries">
                {page.events.map((event) => (
                  <li key={event.id} data-action={event.action}>
                    <When at={event.at} />
                    <p>
                      <strong>{names.state === 'done' ? actorOf(event, names.data) : 'Someone'}</strong>{' '}
                      {whatOf(event)}
                    </p>
                  </li>
                ))}
              </ol>
              <Pager
                label="Pages of the audit log"
                previous={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
                next={
                  page.nextCursor ? () => setCursors([...cursors, page.nextCursor ?? undefined]) : undefined
                }
                page={cursors.length}
              />
            </>
          )
        }
      </Show>
    </section>
  );
}
