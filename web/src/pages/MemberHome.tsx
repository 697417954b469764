/** A candidate signed in: who they are, for now (their data, export and erasure pages come later). */
import { useSession } from '../session.tsx';

export function MemberHome() {
  const { session } = useSession();
  if (session.state !== 'signed-in' || session.me.kind !== 'member') return null;
  const { member } = session.me;
  return (
    <section className="narrow">
      <h1>Hello, {member.name}</h1>
      <p>You are signed in as a candidate.</p>
      <dl className="facts">
        <dt>Headline</dt>
        <dd>{member.headline || '—'}</dd>
        <dt>Email addresses</dt>
        <dd>{member.emails.join(', ')}</dd>
      </dl>
    </section>
  );
}
