/** R9's backfill window: days before a mailbox's authorization whose mail is also synced (0–365). */
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api/client.ts';
import { Problem } from '../Status.tsx';
import { count, problemText } from './words.ts';

export function Backfill({ days, onChange }: { days: number; onChange: () => void }) {
  const [draft, setDraft] = useState(String(days));
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [saving, setSaving] = useState(false);
  const help = useId();
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    setNotice(undefined);
    const value = Number(draft);
    if (draft.trim() === '' || !Number.isInteger(value) || value < 0 || value > 365) {
      setProblem('The backfill window is a whole number of days from 0 to 365.');
      return;
    }
    setSaving(true);
    try {
      await api('PATCH /api/organization', { body: { backfillDays: value } });
      setNotice(
        value === 0
          ? 'Saved: only mail from after each connection is synced.'
          : `Saved: mailboxes connected from now on also sync ${count(value, 'day')} of earlier mail.`,
      );
      onChange();
    } catch (error) {
      setProblem(problemText(error));
    } finally {
      setSaving(false);
    }
  };
  return (
    <section aria-labelledby="backfill" className="card">
      <h2 id="backfill">Backfill window</h2>
      {/* noValidate: the page says what is wrong in its own words, not in the browser's tooltip. */}
      <form className="inline-form" noValidate onSubmit={(event) => void save(event)}>
        <label htmlFor="backfill-days">Days of mail before a connection to sync too</label>
        <span className="muted" id={help}>
          0 (the default) syncs only mail from after a recruiter connects (R9); at most 365. Applies to
          mailboxes connected after the change.
        </span>
        <div className="row">
          <input
            id="backfill-days"
            type="number"
            inputMode="numeric"
            min={0}
            max={365}
            step={1}
            aria-describedby={help}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
          <button type="submit" disabled={saving || draft === String(days)}>
            Save window
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {problem && <Problem message={problem} />}
        {notice && <p className="notice">{notice}</p>}
      </div>
    </section>
  );
}
