/**
 * Find a candidate by email in the member directory (`GET /api/members/lookup`): only members who let
 * anyone find them are found; anyone else answers as unknown, which the page says in words.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { GetMembersLookupResponse } from '../api/types.ts';
import { Problem } from '../components/Status.tsx';
import { pathTo } from '../paths.ts';

type Found = { state: 'found'; member: GetMembersLookupResponse } | { state: 'none'; email: string };

export function CandidatesPage() {
  const [email, setEmail] = useState('');
  const [looking, setLooking] = useState(false);
  const [found, setFound] = useState<Found>();
  const [problem, setProblem] = useState<string>();
  const look = async () => {
    setLooking(true);
    setProblem(undefined);
    setFound(undefined);
    try {
      const member = await api('GET /api/members/lookup', { query: { email: email.trim() } });
      setFound({ state: 'found', member });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setFound({ state: 'none', email: email.trim() });
      else setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setLooking(false);
    }
  };
  return (
    <section className="narrow">
      <h1>Candidates</h1>
      <p>
        Find a candidate by an email address of theirs. Candidates who do not let anyone find them are not
        found.
      </p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void look();
        }}
      >
        <label htmlFor="candidate-email">Candidate’s email</label>
        <input
          id="candidate-email"
          type="email"
          value={email}
          minLength={3}
          maxLength={254}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <button type="submit" className="primary" disabled={looking}>
          {looking ? 'Looking…' : 'Find'}
        </button>
      </form>
      <div role="status">
        {found?.state === 'found' && (
          <ul className="people">
            <li>
              <Link href={pathTo('candidate', { id: found.member.id })}>{found.member.name}</Link>{' '}
              <span className="muted">— {found.member.headline || 'No headline'}</span>
            </li>
          </ul>
        )}
        {found?.state === 'none' && (
          <p className="empty">No candidate you may find has the address {found.email}.</p>
        )}
      </div>
      {problem && <Problem message={`The search failed: ${problem}`} />}
    </section>
  );
}
