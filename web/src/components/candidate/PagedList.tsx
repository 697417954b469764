/** A keyset-paged list as a page shows it: loading, the error in words, the empty state, "load more". */
import type { ReactNode } from 'react';
import { Empty, Loading, Problem } from '../Status.tsx';
import type { Paged } from './usePaged.ts';

export function PagedList<T>({
  paged,
  what,
  moreLabel,
  empty,
  className,
  children,
}: {
  paged: Paged<T>;
  what: string;
  /** The "load more" button's words, such as "Show older entries". */
  moreLabel: string;
  empty: ReactNode;
  className: string;
  children: (item: T) => ReactNode;
}) {
  if (paged.state === 'loading') return <Loading what={what} />;
  if (paged.state === 'error')
    return <Problem message={`Could not load ${what}: ${paged.message}`} retry={paged.refresh} />;
  if (paged.items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <ol className={className}>{paged.items.map(children)}</ol>
      {paged.message && <Problem message={`Could not load more: ${paged.message}`} retry={paged.loadMore} />}
      {paged.more && (
        <p>
          <button type="button" onClick={paged.loadMore} disabled={paged.loadingMore}>
            {paged.loadingMore ? 'Loading more…' : moreLabel}
          </button>
        </p>
      )}
    </>
  );
}
