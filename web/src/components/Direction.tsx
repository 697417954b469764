/** Sent or received, from the recruiter's side: in words and with an arrow, never by colour alone. */
export function Direction({ direction }: { direction: 'sent' | 'received' }) {
  return (
    <span className={`direction ${direction}`}>
      <span aria-hidden="true">{direction === 'sent' ? '↗' : '↙'}</span>{' '}
      {direction === 'sent' ? 'Sent' : 'Received'}
    </span>
  );
}
