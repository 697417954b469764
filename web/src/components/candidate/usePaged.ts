/**
 * Keyset pages of a list, newest first: the first page, "load more" through `nextCursor`, and
 * `refresh()`, which loads the first page again (what a live update calls when new mail arrives).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Paged<T> {
  state: 'loading' | 'error' | 'done';
  items: T[];
  /** The error in words, when `state` is `error` or loading more failed. */
  message?: string;
  more: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  refresh: () => void;
}

/** `load(cursor)` answers one page; `key` names the list (a new key starts again). */
export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, key: string): Paged<T> {
  const [state, setState] = useState<Paged<T>['state']>('loading');
  const [items, setItems] = useState<T[]>([]);
  const [message, setMessage] = useState<string>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [round, setRound] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  // Each list or refresh gets a generation: an answer for an older one is dropped.
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `round` decide when the first page loads again
  useEffect(() => {
    const mine = ++generation.current;
    setState((previous) => (previous === 'done' ? previous : 'loading'));
    loader.current(undefined).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setMessage(undefined);
        setState('done');
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setMessage(wordsOf(error));
        setState('error');
      },
    );
  }, [key, round]);

  const loadMore = useCallback(() => {
    if (!cursor) return;
    const mine = generation.current;
    setLoadingMore(true);
    loader.current(cursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => [...previous, ...page.items]);
        setCursor(page.nextCursor);
        setMessage(undefined);
        setLoadingMore(false);
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setMessage(wordsOf(error));
        setLoadingMore(false);
      },
    );
  }, [cursor]);

  const refresh = useCallback(() => setRound((n) => n + 1), []);
  return { state, items, message, more: cursor !== null, loadingMore, loadMore, refresh };
}

/** An error's message, in words. */
export function wordsOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
