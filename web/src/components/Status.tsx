/** How a page says it is loading, that something went wrong, or that there is nothing yet: in words. */
import type { ReactNode } from 'react';
import type { Loaded } from './useLoad.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p className="status" role="status">
      Loading {what}…
    </p>
  );
}

export function Problem({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div className="problem" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Renders `children(data)` once loaded; the loading and error states otherwise. */
export function Show<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T> & { reload: () => void };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error')
    return <Problem message={`Could not load ${what}: ${loaded.message}`} retry={loaded.reload} />;
  return <>{children(loaded.data)}</>;
}

/** A date and time in the reader's own zone and words, or a dash. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <>—</>;
  const date = new Date(at);
  return (
    <time dateTime={at}>{date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>
  );
}
