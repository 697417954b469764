/** The member's interview proposals and bookings, in their zone, each with its booking page. */
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { api } from '../../api/client.ts';
import type { GetInmailConversationsResponse, GetMeProposalsResponse } from '../../api/types.ts';
import { pathTo } from '../../paths.ts';
import { Empty, Show, When } from '../Status.tsx';
import { useLoad } from '../useLoad.ts';
import { detectedZone, slotInZone } from './zones.ts';

type Proposal = GetMeProposalsResponse['proposals'][number];
type Conversation = GetInmailConversationsResponse['conversations'][number];

export function Interviews({ conversations }: { conversations: Conversation[] }) {
  const zone = detectedZone();
  const loaded = useLoad(() => api('GET /api/me/proposals', { query: { timeZone: zone } }), [zone]);
  return (
    <Show loaded={loaded} what="your interviews">
      {({ proposals }) =>
        proposals.length === 0 ? (
          <Empty>No interview proposals yet. When a recruiter proposes times, they appear here.</Empty>
        ) : (
          <ul className="member-list">
            {proposals.map((proposal) => (
              <li key={proposal.id}>
                <InterviewItem
                  proposal={proposal}
                  conversation={conversations.find((c) => c.id === proposal.conversationId)}
                  zone={zone}
                />
              </li>
            ))}
          </ul>
        )
      }
    </Show>
  );
}

function InterviewItem({
  proposal,
  conversation,
  zone,
}: {
  proposal: Proposal;
  conversation: Conversation | undefined;
  zone: string;
}) {
  const booking = proposal.booking;
  const who = conversation ? `${conversation.userName}, ${conversation.organizationName}` : 'A recruiter';
  let state: ReactNode;
  if (booking?.status === 'cancelled') state = <>Cancelled (was {slotInZone(booking, zone)})</>;
  else if (booking) state = <>Booked: {slotInZone(booking, zone)}</>;
  else if (proposal.status === 'expired')
    state = (
      <>
        Expired <When at={proposal.expiresAt} />
      </>
    );
  else if (proposal.status === 'open')
    state = (
      <>
        Waiting for you to pick a time ({proposal.slots.length} free) · open until{' '}
        <When at={proposal.expiresAt} />
      </>
    );
  else state = <>Withdrawn</>;
  return (
    <>
      <p className="subject">
        {proposal.durationMinutes}-minute interview · {who}
      </p>
      <p className="muted" data-proposal-status={proposal.status}>
        {state}
      </p>
      <Link href={pathTo('booking', { id: proposal.id })}>
        {proposal.status === 'open' ? 'Pick a time' : 'Open the interview page'}
        <span className="visually-hidden"> for the interview with {who}</span>
      </Link>
    </>
  );
}
