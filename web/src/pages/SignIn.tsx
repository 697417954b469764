/** Sign-in: single sign-on through the company's identity provider; in the demo, "sign in as" too. */
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { GetDemoPeopleResponse } from '../api/types.ts';
import { Problem } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { useSession } from '../session.tsx';

/** What each sign-in problem (`?problem=`, from /auth/callback) means for the person. */
const PROBLEMS: Record<string, string> = {
  sso_not_configured: 'Single sign-on is not set up for this talentsync yet. Ask your administrator.',
  attempt_missing:
    'That sign-in was not started in this browser, or took longer than ten minutes. Try again.',
  refused_by_provider: 'Your identity provider’s answer could not be accepted. Try again.',
  email_unverified: 'Your identity provider did not confirm your email address.',
  unknown_user: 'There is no talentsync account for your email address. Ask your administrator to add you.',
  ambiguous_user: 'Your email address belongs to accounts in several organizations. Ask your administrator.',
  provider_unreachable: 'Your identity provider could not be reached. Try again in a moment.',
};

export function SignInPage() {
  const problem = new URLSearchParams(window.location.search).get('problem');
  const demo = useLoad(
    () => api('GET /api/demo/people').catch(() => undefined as GetDemoPeopleResponse | undefined),
    [],
  );
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {problem && <Problem message={PROBLEMS[problem] ?? 'Signing in did not work. Try again.'} />}
      <p>Sign in with your company account.</p>
      <p>
        <a className="button primary" href="/auth/sign-in">
          Sign in with single sign-on
        </a>
      </p>
      {demo.state === 'done' && demo.data && <DemoPicker people={demo.data.people} />}
    </section>
  );
}

function DemoPicker({ people }: { people: GetDemoPeopleResponse['people'] }) {
  const { refresh } = useSession();
  const [failed, setFailed] = useState<string>();
  const [busy, setBusy] = useState(false);
  const signInAs = async (email: string) => {
    setBusy(true);
    setFailed(undefined);
    try {
      await api('POST /api/demo/sign-in', { body: { email } });
      window.history.replaceState(null, '', '/');
      await refresh();
    } catch (error) {
      setFailed(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="demo-people" className="card">
      <h2 id="demo-people">Demo: sign in as</h2>
      <p>This is the demo. Pick who you want to be; no password is needed.</p>
      {failed && <Problem message={failed} />}
      <ul className="people">
        {people.map((person) => (
          <li key={person.email}>
            <button type="button" disabled={busy} onClick={() => void signInAs(person.email)}>
              {person.name}
            </button>{' '}
            <span className="muted">
              {person.kind === 'member' ? 'candidate' : person.role === 'admin' ? 'admin' : 'recruiter'} ·{' '}
              {person.email}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
