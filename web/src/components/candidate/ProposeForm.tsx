/**
 * Proposes interview times (R18): duration, horizon, working hours and time zone (defaults from
 * `GET /api/me/scheduling`), notice, buffers, daily cap, how many times, and when the offer expires.
 * The answer shows the times offered and, for the recruiter only, the times hidden and why.
 */
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type {
  GetMeSchedulingResponse,
  PostInmailConversationsIdProposalsBody,
  PostInmailConversationsIdProposalsResponse,
} from '../../api/types.ts';
import { Problem, Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { wordsOf } from './usePaged.ts';

type Proposed = PostInmailConversationsIdProposalsResponse;
type Reason = Proposed['hidden'][number]['reason'];
type Overrides = NonNullable<PostInmailConversationsIdProposalsBody['overrides']>;
type Days = GetMeSchedulingResponse['workingHours']['days'];

export const HIDDEN_WORDS: Record<Reason, string> = {
  busy: 'you are busy then',
  outside_working_hours: 'outside your working hours',
  too_soon: 'too soon (less than your notice)',
  buffer: 'too close to another meeting (your buffer)',
  daily_cap: 'that day already has its cap of interviews',
};

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const DURATIONS = [15, 30, 45, 60] as const;
const WEEKS = [1, 2, 3] as const;

export function ProposeForm({
  conversationId,
  onProposed,
}: {
  conversationId: string;
  onProposed: () => void;
}) {
  const settings = useLoad(() => api('GET /api/me/scheduling'), []);
  return (
    <Show loaded={settings} what="your scheduling settings">
      {(defaults) => <Form conversationId={conversationId} defaults={defaults} onProposed={onProposed} />}
    </Show>
  );
}

function Form({
  conversationId,
  defaults,
  onProposed,
}: {
  conversationId: string;
  defaults: GetMeSchedulingResponse;
  onProposed: () => void;
}) {
  const [duration, setDuration] = useState<(typeof DURATIONS)[number]>(30);
  const [horizon, setHorizon] = useState(14);
  const [weeks, setWeeks] = useState<(typeof WEEKS)[number]>(1);
  const [maxSlots, setMaxSlots] = useState(10);
  const [timeZone, setTimeZone] = useState(defaults.timeZone);
  const [days, setDays] = useState<number[]>([...defaults.workingHours.days]);
  const [start, setStart] = useState(defaults.workingHours.start);
  const [end, setEnd] = useState(defaults.workingHours.end);
  const [notice, setNotice] = useState(defaults.minimumNoticeMinutes);
  const [before, setBefore] = useState(defaults.bufferBeforeMinutes);
  const [after, setAfter] = useState(defaults.bufferAfterMinutes);
  const [cap, setCap] = useState(defaults.dailyCap === null ? '' : String(defaults.dailyCap));
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [proposed, setProposed] = useState<Proposed>();
  const id = (name: string) => `${name}-${conversationId}`;

  const submit = async () => {
    setSending(true);
    setProblem(undefined);
    try {
      const overrides: Overrides = {
        timeZone,
        workingHours: { days: [...days].sort((a, b) => a - b) as Days, start, end },
        minimumNoticeMinutes: notice,
        bufferBeforeMinutes: before,
        bufferAfterMinutes: after,
        dailyCap: cap === '' ? null : Number(cap),
      };
      const answer = await api('POST /api/inmail/conversations/:id/proposals', {
        params: { id: conversationId },
        body: { durationMinutes: duration, horizonDays: horizon, expiresInWeeks: weeks, maxSlots, overrides },
      });
      setProposed(answer);
      onProposed();
    } catch (error) {
      setProblem(wordsOf(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <form
        className="propose"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset>
          <legend>Propose interview times</legend>
          <div className="form-grid">
            <label htmlFor={id('duration')}>Duration</label>
            <select
              id={id('duration')}
              value={duration}
              onChange={(e) => setDuration(Number(e.target.value) as (typeof DURATIONS)[number])}
            >
              {DURATIONS.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes} minutes
                </option>
              ))}
            </select>
            <NumberField
              id={id('horizon')}
              label="Within the next (days)"
              min={1}
              max={30}
              value={horizon}
              onChange={(value) => setHorizon(Number(value))}
            />
            <label htmlFor={id('zone')}>Time zone</label>
            <input id={id('zone')} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
            <label htmlFor={id('start')}>Working hours from</label>
            <input
              id={id('start')}
              type="time"
              value={start}
              onChange={(e) => setStart(e.target.value)}
              required
            />
            <label htmlFor={id('end')}>Working hours until</label>
            <input
              id={id('end')}
              value={end}
              pattern="^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
              title="HH:MM, 24-hour (24:00 for midnight)"
              onChange={(e) => setEnd(e.target.value)}
              required
            />
            <NumberField
              id={id('notice')}
              label="Minimum notice (minutes)"
              min={0}
              value={notice}
              onChange={(value) => setNotice(Number(value))}
            />
            <NumberField
              id={id('before')}
              label="Buffer before (minutes)"
              min={0}
              max={120}
              value={before}
              onChange={(value) => setBefore(Number(value))}
            />
            <NumberField
              id={id('after')}
              label="Buffer after (minutes)"
              min={0}
              max={120}
              value={after}
              onChange={(value) => setAfter(Number(value))}
            />
            <NumberField
              id={id('cap')}
              label="At most interviews a day (empty: no cap)"
              min={1}
              max={50}
              value={cap}
              onChange={setCap}
              optional
            />
            <NumberField
              id={id('slots')}
              label="Times to offer, at most"
              min={1}
              max={50}
              value={maxSlots}
              onChange={(value) => setMaxSlots(Number(value))}
            />
            <label htmlFor={id('expiry')}>The offer expires after</label>
            <select
              id={id('expiry')}
              value={weeks}
              onChange={(e) => setWeeks(Number(e.target.value) as (typeof WEEKS)[number])}
            >
              {WEEKS.map((n) => (
                <option key={n} value={n}>
                  {n} {n === 1 ? 'week' : 'weeks'}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="days">
            <legend>Working days</legend>
            {DAYS.map((name, index) => (
              <label key={name} className="day">
                <input
                  type="checkbox"
                  checked={days.includes(index + 1)}
                  onChange={(e) =>
                    setDays((current) =>
                      e.target.checked ? [...current, index + 1] : current.filter((d) => d !== index + 1),
                    )
                  }
                />{' '}
                {name}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={sending || days.length === 0}>
            {sending ? 'Finding times…' : 'Propose times'}
          </button>
        </fieldset>
      </form>
      {problem && <Problem message={`No times were proposed: ${problem}`} />}
      {proposed && <Offered proposed={proposed} />}
    </>
  );
}

/** A labelled number input of the form's grid; required unless `optional` (then empty is a value). */
function NumberField({
  id,
  label,
  min,
  max,
  value,
  onChange,
  optional = false,
}: {
  id: string;
  label: string;
  min: number;
  max?: number;
  value: number | string;
  onChange: (value: string) => void;
  optional?: boolean;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={!optional}
      />
    </>
  );
}

function Offered({ proposed }: { proposed: Proposed }) {
  const { proposal, hidden, hiddenTruncated } = proposed;
  return (
    <div className="offered" role="status">
      <p>
        Proposed {proposal.slots.length} {proposal.slots.length === 1 ? 'time' : 'times'}; the candidate was
        sent the booking link by InMail.
      </p>
      <ul className="slots" aria-label="Times offered">
        {proposal.slots.map((slot) => (
          <li key={slot.start}>{slot.recruiter}</li>
        ))}
      </ul>
      {hidden.length > 0 && (
        <details>
          <summary>
            {hidden.length}
            {hiddenTruncated ? '+' : ''} times not offered, and why (only you see this)
          </summary>
          <ul className="hidden-times">
            {hidden.map((slot) => (
              <li key={`${slot.start}-${slot.reason}`}>
                <When at={slot.start} />–
                {new Date(slot.end).toLocaleTimeString(undefined, { timeStyle: 'short' })}:{' '}
                {HIDDEN_WORDS[slot.reason]}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
