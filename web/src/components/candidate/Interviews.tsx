/**
 * R18 in a conversation, for its recruiter: the proposals made in it with their state and booking (the
 * Meet or Teams link once booked; cancel and move), from `GET /api/inmail/conversations/{id}/proposals`,
 * and the form that proposes new times.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import type { GetInmailConversationsIdProposalsResponse } from '../../api/types.ts';
import { Problem, Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { ProposeForm } from './ProposeForm.tsx';
import { wordsOf } from './usePaged.ts';

type Proposal = GetInmailConversationsIdProposalsResponse['proposals'][number];
type Booking = NonNullable<Proposal['booking']>;

const PROPOSAL_WORDS: Record<Proposal['status'], string> = {
  open: 'Open: the candidate can pick a time',
  booked: 'Booked',
  closed: 'Closed',
  expired: 'Expired: no time was picked in time',
};

const BOOKING_WORDS: Record<Booking['status'], string> = {
  held: 'Being booked (the calendar event is on its way)',
  booked: 'Booked',
  cancelled: 'Cancelled',
};

export function Interviews({ conversationId, onChange }: { conversationId: string; onChange: () => void }) {
  const loaded = useLoad(
    () => api('GET /api/inmail/conversations/:id/proposals', { params: { id: conversationId } }),
    [conversationId],
  );
  // A proposal, a cancellation or a move also writes into the conversation: both load again.
  const changed = () => {
    loaded.reload();
    onChange();
  };
  return (
    <section className="interviews" aria-labelledby={`interviews-${conversationId}`}>
      <h4 id={`interviews-${conversationId}`}>Screening interview</h4>
      <Show loaded={loaded} what="the proposals">
        {({ proposals }) =>
          proposals.length === 0 ? (
            <p className="muted">No times proposed in this conversation yet.</p>
          ) : (
            <ul className="proposals">
              {proposals.map((proposal) => (
                <ProposalItem key={proposal.id} proposal={proposal} onChange={changed} />
              ))}
            </ul>
          )
        }
      </Show>
      <ProposeForm conversationId={conversationId} onProposed={changed} />
    </section>
  );
}

function ProposalItem({ proposal, onChange }: { proposal: Proposal; onChange: () => void }) {
  return (
    <li>
      <p>
        <strong>{proposal.durationMinutes}-minute interview</strong> · {PROPOSAL_WORDS[proposal.status]} ·
        expires <When at={proposal.expiresAt} />
      </p>
      {proposal.status === 'open' && (
        <p className="muted">
          {proposal.slots.length} {proposal.slots.length === 1 ? 'time is' : 'times are'} still open
          {proposal.slots.length > 0 && <> (from {proposal.slots[0]?.recruiter})</>}. The candidate books at{' '}
          <a href={proposal.link}>their booking page</a>.
        </p>
      )}
      {proposal.booking && <BookingItem booking={proposal.booking} onChange={onChange} />}
    </li>
  );
}

function BookingItem({ booking, onChange }: { booking: Booking; onChange: () => void }) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [start, setStart] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (cancelling) keep.current?.focus();
  }, [cancelling]);
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
      onChange();
    } catch (error) {
      setProblem(wordsOf(error));
    } finally {
      setBusy(false);
    }
  };
  const link = booking.conference?.url;
  const moveField = `move-${booking.id}`;
  return (
    <div className="booking">
      <p>
        {BOOKING_WORDS[booking.status]}: {booking.recruiterTime} (yours) · {booking.candidateTime} (the
        candidate’s)
      </p>
      {booking.status !== 'cancelled' && (
        <p>
          {link ? (
            <>
              Video call:{' '}
              <a href={link} target="_blank" rel="noopener noreferrer">
                {link}
              </a>
            </>
          ) : booking.conference?.status === 'failed' ? (
            'The video call link could not be created.'
          ) : (
            'The video call link is on its way.'
          )}
        </p>
      )}
      {booking.status === 'booked' && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const at = new Date(start);
            if (!Number.isNaN(at.getTime()))
              void act(() =>
                api('POST /api/bookings/:id/move', {
                  params: { id: booking.id },
                  body: { start: at.toISOString() },
                }),
              );
          }}
        >
          <label htmlFor={moveField}>Move to (your local time)</label>
          <input
            id={moveField}
            type="datetime-local"
            value={start}
            onChange={(e) => setStart(e.target.value)}
            required
          />
          <button type="submit" disabled={busy}>
            Move interview
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => setCancelling(true)}>
            Cancel interview…
          </button>
        </form>
      )}
      {cancelling && booking.status === 'booked' && (
        <div className="confirm" role="alertdialog" aria-labelledby={`${moveField}-cancel`}>
          <p id={`${moveField}-cancel`}>
            <strong>Cancel the interview on {booking.recruiterTime}?</strong> The calendar event and its video
            call are cancelled, and the candidate is told by InMail.
          </p>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await api('POST /api/bookings/:id/cancel', { params: { id: booking.id } });
                setCancelling(false);
              })
            }
          >
            Cancel the interview
          </button>{' '}
          <button type="button" ref={keep} disabled={busy} onClick={() => setCancelling(false)}>
            Keep it
          </button>
        </div>
      )}
      {problem && <Problem message={problem} />}
    </div>
  );
}
