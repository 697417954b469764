/**
 * Who can find the member by their email address, in words (R10, R16): only "anyone" lets recruiters'
 * mailboxes sync mail with them, and choosing it again after an erasure is their consent to that.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import type { PatchMeBody } from '../../api/types.ts';
import { useSession } from '../../session.tsx';
import { Problem, When } from '../Status.tsx';

type Choice = NonNullable<PatchMeBody['discoverability']>;

const CHOICES: { value: Choice; label: string; meaning: string }[] = [
  {
    value: 'anyone',
    label: 'Anyone',
    meaning:
      'Anyone can find your profile by your email address. Email you exchange with recruiters who connected their company mailbox is copied into talentsync and shown on your profile to them (and to their colleagues if they share it). If you erased your synced email before, choosing Anyone is your consent to be synced again, from now on: nothing from before returns.',
  },
  {
    value: 'connections',
    label: 'Connections',
    meaning:
      'Only your connections can find your profile by your email address. No email with you is synced from recruiters’ mailboxes.',
  },
  {
    value: 'nobody',
    label: 'Nobody',
    meaning: 'Nobody can find your profile by your email address. No email with you is synced.',
  },
];

export function DiscoverabilityControl({ current, since }: { current: Choice; since: string }) {
  const { refresh } = useSession();
  const [choice, setChoice] = useState<Choice>(current);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setSaved(false);
    try {
      await api('PATCH /api/me', { body: { discoverability: choice } });
      await refresh();
      setSaved(true);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void save(event)} className="card">
      <fieldset className="choices">
        <legend>Who can find me by my email address</legend>
        {CHOICES.map((option) => (
          <label key={option.value} className="choice">
            <input
              type="radio"
              name="discoverability"
              value={option.value}
              checked={choice === option.value}
              aria-describedby={`discoverability-${option.value}`}
              onChange={() => setChoice(option.value)}
            />{' '}
            <strong>{option.label}</strong>
            {option.value === current && <span className="muted"> (your setting)</span>}
            <span id={`discoverability-${option.value}`} className="choice-meaning">
              {option.meaning}
            </span>
          </label>
        ))}
      </fieldset>
      <p className="muted">
        Last set <When at={since} />.
      </p>
      {problem && <Problem message={`Your setting was not saved: ${problem}`} />}
      {saved && (
        <p role="status" className="ok">
          Saved.
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Save my setting
      </button>
    </form>
  );
}
