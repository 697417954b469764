/** Previous / next buttons for a keyset-paginated list. */
export function Pager({
  label,
  previous,
  next,
  page,
}: {
  label: string;
  previous: (() => void) | undefined;
  next: (() => void) | undefined;
  page: number;
}) {
  if (!previous && !next) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={!previous} onClick={previous}>
        ← Previous page
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" disabled={!next} onClick={next}>
        Next page →
      </button>
    </nav>
  );
}
