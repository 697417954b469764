/** A choice of interview times, one radio each, in the candidate's zone with the recruiter's beside it. */
import { type FormEvent, useState } from 'react';
import type { GetProposalsIdResponse } from '../../api/types.ts';

export type Slot = GetProposalsIdResponse['slots'][number];

export function SlotPicker({
  slots,
  legend,
  action,
  busy,
  onPick,
}: {
  slots: Slot[];
  legend: string;
  action: string;
  busy: boolean;
  onPick: (slot: Slot) => void;
}) {
  const [chosen, setChosen] = useState<string>();
  const slot = slots.find((candidate) => candidate.start === chosen);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (slot) onPick(slot);
  };
  return (
    <form onSubmit={submit}>
      <fieldset className="slots">
        <legend>{legend}</legend>
        {slots.map((option) => (
          <label key={option.start} className="slot">
            <input
              type="radio"
              name="slot"
              value={option.start}
              checked={chosen === option.start}
              onChange={() => setChosen(option.start)}
            />{' '}
            <span className="slot-local">{option.local}</span>{' '}
            <span className="muted">· for the recruiter {option.recruiter}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={busy || !slot}>
        {action}
      </button>
    </form>
  );
}
