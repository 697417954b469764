/**
 * The candidate's booking page (R18), where the link in a proposal InMail leads: the proposed times in the
 * candidate's own time zone (the browser's, or one they choose) with the recruiter's beside them; booking
 * one, and then the confirmation with both zones and the video link; rescheduling and cancelling up to the
 * cutoff. Booking needs the member's session (`POST /api/proposals/{id}/book` is for members only), so the
 * app sends a signed-out visitor through sign-in and back here (components/member/return-to.ts).
 */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api } from '../api/client.ts';
import type { GetProposalsIdResponse } from '../api/types.ts';
import { type Slot, SlotPicker } from '../components/member/SlotPicker.tsx';
import { ZoneSelect } from '../components/member/ZoneSelect.tsx';
import { detectedZone, slotInZone } from '../components/member/zones.ts';
import { Problem, Show, When } from '../components/Status.tsx';
import { useLoad } from '../components/useLoad.ts';
import { pathTo } from '../paths.ts';

type Proposal = GetProposalsIdResponse;
type Booking = NonNullable<Proposal['booking']>;

export function BookingPage({ id }: { id: string }) {
  const [zone, setZone] = useState(detectedZone);
  const loaded = useLoad(
    () =>
      api('GET /api/proposals/:id', { params: { id }, query: { timeZone: zone } }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) {
          throw new Error('this booking link is not addressed to you, or it no longer exists');
        }
        throw error;
      }),
    [id, zone],
  );
  const conversationId = loaded.state === 'done' ? loaded.data.conversationId : undefined;
  const conversation = useLoad(
    () =>
      conversationId
        ? api('GET /api/inmail/conversations/:id', { params: { id: conversationId } })
        : Promise.resolve(undefined),
    [conversationId],
  );
  return (
    <section className="narrow member booking">
      <h1>Your interview</h1>
      {conversation.state === 'done' && conversation.data && (
        <p className="muted">
          With {conversation.data.userName} of {conversation.data.organizationName}, about “
          {conversation.data.subject}”.
        </p>
      )}
      <ZoneSelect value={zone} onChange={setZone} />
      <Show loaded={loaded} what="the interview times">
        {(proposal) => <ProposalCard proposal={proposal} zone={zone} reload={loaded.reload} />}
      </Show>
    </section>
  );
}

function ProposalCard({ proposal, zone, reload }: { proposal: Proposal; zone: string; reload: () => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string | null>(null);
  // When the time was taken meanwhile, the API answers the offered times still free (asked live).
  const [remaining, setRemaining] = useState<{ zone: string; slots: Slot[] }>();
  const pending = proposal.booking?.status === 'held' || proposal.booking?.conference?.status === 'pending';
  // The calendar confirms a held time, and a conference link can come a moment later: look again until then.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [pending, reload]);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (error) {
      setProblem(explain(error));
    } finally {
      setBusy(false);
      reload();
    }
  };
  const book = (slot: Slot) =>
    act(async () => {
      setRemaining(undefined);
      try {
        const outcome = await api('POST /api/proposals/:id/book', {
          params: { id: proposal.id },
          body: { start: slot.start, timeZone: zone },
        });
        setNotice(outcome.notice);
      } catch (error) {
        const left =
          error instanceof ApiError ? (error.body as { remaining?: Slot[] } | undefined) : undefined;
        if (left?.remaining) setRemaining({ zone, slots: left.remaining });
        throw error;
      }
    });
  const offered = remaining?.zone === zone ? remaining.slots : proposal.slots;
  const conversation = (
    <Link href={pathTo('inbox', { id: proposal.conversationId })}>your conversation with the recruiter</Link>
  );

  return (
    <div className="card" aria-live="polite">
      {problem && <Problem message={problem} />}
      {proposal.status === 'open' && (
        <>
          <p>
            Pick the time that suits you for a {proposal.durationMinutes}-minute interview. Times are shown in{' '}
            {zone}; the recruiter’s zone is {proposal.recruiterTimeZone}. This invitation is open until{' '}
            <When at={proposal.expiresAt} />.
          </p>
          {offered.length === 0 ? (
            <p className="empty">
              None of the proposed times is free any more. Write in {conversation} to ask for new times.
            </p>
          ) : (
            <SlotPicker
              slots={offered}
              legend={remaining ? 'Times still free' : 'Proposed times'}
              action="Book this time"
              busy={busy}
              onPick={(slot) => void book(slot)}
            />
          )}
        </>
      )}
      {proposal.status === 'expired' && (
        <p>
          This invitation expired on <When at={proposal.expiresAt} />: its times are no longer held for you.
          Write in {conversation} to ask for new times.
        </p>
      )}
      {proposal.booking && proposal.status !== 'open' && (
        <Confirmation
          booking={proposal.booking}
          proposal={proposal}
          zone={zone}
          busy={busy}
          notice={notice}
          act={act}
        />
      )}
      {proposal.status === 'closed' && !proposal.booking && (
        <p>This invitation was withdrawn. Write in {conversation} if you would still like to talk.</p>
      )}
      <p className="muted">Changes are posted in {conversation}, and the recruiter is told of every one.</p>
    </div>
  );
}

function Confirmation({
  booking,
  proposal,
  zone,
  busy,
  notice,
  act,
}: {
  booking: Booking;
  proposal: Proposal;
  zone: string;
  busy: boolean;
  notice: string | null;
  act: (work: () => Promise<unknown>) => Promise<void>;
}) {
  const [cancelling, setCancelling] = useState(false);
  if (booking.status === 'cancelled') {
    return (
      <>
        <h2>This interview is cancelled</h2>
        <p>
          It was to be {slotInZone(booking, zone)}. The calendar invitation is withdrawn; write in your
          conversation if you would like new times.
        </p>
      </>
    );
  }
  const changeable = new Date(booking.changeableUntil).getTime() > Date.now();
  const link = booking.conference?.url;
  return (
    <>
      <h2>{booking.status === 'held' ? 'Your time is held' : 'Your interview is booked'}</h2>
      {booking.status === 'held' && (
        <p role="status">The recruiter’s calendar is confirming the time; this page updates by itself.</p>
      )}
      <dl className="facts">
        <dt>Your time</dt>
        <dd className="booked-local">{slotInZone(booking, zone)}</dd>
        <dt>The recruiter’s time</dt>
        <dd className="booked-recruiter">{slotInZone(booking, booking.recruiterTimeZone)}</dd>
        <dt>Video link</dt>
        <dd>
          {link ? (
            <a href={link} target="_blank" rel="noopener noreferrer" className="conference">
              {link}
            </a>
          ) : booking.conference?.status === 'pending' ? (
            'Being created; it appears here and in your conversation in a moment.'
          ) : (
            'None yet: the recruiter sends one in your conversation.'
          )}
        </dd>
      </dl>
      {notice && <p className="warning">{notice}</p>}
      <p className="muted">
        A calendar invitation was sent to your email address. You will be reminded 24 hours before.
      </p>
      {booking.status === 'booked' && !changeable && (
        <p>
          Changes through this page closed on <When at={booking.changeableUntil} />; write in your
          conversation instead.
        </p>
      )}
      {booking.status === 'booked' && changeable && (
        <>
          <h3>Reschedule or cancel</h3>
          <p>
            You can change this until <When at={booking.changeableUntil} />.{' '}
            {booking.reschedulesLeft === 0
              ? 'You have rescheduled as many times as allowed; you can still cancel.'
              : `You can reschedule ${booking.reschedulesLeft} more ${booking.reschedulesLeft === 1 ? 'time' : 'times'}. The invitation and the video link stay the same.`}
          </p>
          {booking.reschedulesLeft > 0 &&
            (proposal.slots.length > 0 ? (
              <SlotPicker
                slots={proposal.slots}
                legend="Other proposed times"
                action="Move to this time"
                busy={busy}
                onPick={(slot) =>
                  void act(() =>
                    api('POST /api/bookings/:id/reschedule', {
                      params: { id: booking.id },
                      body: { start: slot.start },
                    }),
                  )
                }
              />
            ) : (
              <p className="empty">None of the other proposed times is free.</p>
            ))}
          {cancelling ? (
            <div className="confirm">
              <p>Cancel the interview? The recruiter is told, and the calendar invitation is withdrawn.</p>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() =>
                  void act(() => api('POST /api/bookings/:id/cancel', { params: { id: booking.id } }))
                }
              >
                Yes, cancel the interview
              </button>{' '}
              <button type="button" onClick={() => setCancelling(false)}>
                Keep it
              </button>
            </div>
          ) : (
            <p>
              <button type="button" onClick={() => setCancelling(true)}>
                Cancel the interview…
              </button>
            </p>
          )}
        </>
      )}
    </>
  );
}

/** A failed booking or change in words (the API's own: a taken time says how many are left). */
function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 410) {
    return `${error.message} Ask the recruiter for new times in your conversation.`;
  }
  return error instanceof Error ? error.message : String(error);
}
