/**
 * The recruiter's calendar for scheduling (R18), reached through the organization's provider adapter (R1:
 * Meet on Google, Teams on Microsoft; the registry decides, nothing here names a provider). Each guard
 * answers in words, and differently for the two sides: the recruiter is told what to do (choose a
 * provider, connect, reconnect, grant calendar access); the candidate is told to wait while the recruiter
 * is asked, in the conversation, to reconnect.
 */
import { type Connection, findUserConnection } from '../db/connections.ts';
import { insertMessage } from '../db/inmail.ts';
import { findSettings } from '../db/organizations.ts';
import { AppError } from '../domain/errors.ts';
import { ProviderError } from '../providers/errors.ts';
import type { CalendarSource } from '../providers/types.ts';
import type { AppContext } from './context.ts';
import { PROVIDER_NAMES } from './flow-error.ts';
import { accessToken } from './grants.ts';

export interface RecruiterCalendar {
  connection: Connection;
  calendar: CalendarSource;
  /** A fresh access token for the connection. */
  token: string;
}

/** Who is asking: the recruiter themself, or a candidate acting in one of their conversations. */
export type Asker =
  | { side: 'recruiter' }
  | { side: 'candidate'; conversationId: string }
  /** A job: refused quietly, without a note (it runs again later). */
  | { side: 'job' };

/** Opens the recruiter's calendar, or throws the words the asking side should read. */
export async function recruiterCalendar(
  context: AppContext,
  orgId: string,
  userId: string,
  asker: Asker,
): Promise<RecruiterCalendar> {
  const settings = await findSettings(context.db, orgId);
  if (!settings || settings.provider === 'none') {
    throw new AppError(
      'provider_not_selected',
      asker.side === 'recruiter'
        ? 'Your organization is on Do Not Integrate: scheduling needs a calendar, so an admin must choose Google Workspace or Microsoft 365 first.'
        : 'This organization does not schedule interviews through a calendar; reply in the conversation to agree on a time.',
    );
  }
  const calendar = context.providers[settings.provider]?.calendar;
  if (!calendar) {
    throw new AppError(
      'provider_not_configured',
      `${PROVIDER_NAMES[settings.provider]} calendars are not configured on this server.`,
    );
  }
  const connection = await findUserConnection(context.db, orgId, userId);
  const problem = connectionProblem(connection, settings.provider, calendar);
  if (problem || !connection) return refuse(context, orgId, userId, asker, problem ?? 'not connected');
  try {
    return { connection, calendar, token: await accessToken(context, orgId, connection.id) };
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'auth_revoked') {
      return refuse(context, orgId, userId, asker, 'the provider no longer accepts its access');
    }
    throw error;
  }
}

/** What keeps the connection from scheduling, in words for the recruiter; null when it can. */
function connectionProblem(
  connection: Connection | undefined,
  provider: Connection['provider'],
  calendar: CalendarSource,
): string | null {
  if (!connection || connection.provider !== provider) return 'no mailbox is connected';
  if (connection.status === 'reauthorization_required') return 'the connection must be renewed';
  if (connection.status !== 'connected') return 'no mailbox is connected';
  if (!calendar.hasCalendarScope(connection.scopes)) return 'the grant does not include calendar access';
  return null;
}

/**
 * The recruiter gets a 409 telling them to connect (R3, R7). The candidate gets a 503 telling them to
 * wait, and the recruiter a note in the conversation (both read it) asking them to reconnect.
 */
async function refuse(
  context: AppContext,
  orgId: string,
  userId: string,
  asker: Asker,
  problem: string,
): Promise<never> {
  const reconnect = `Scheduling needs your calendar, but ${problem}: connect your mailbox again (POST /api/connection) and grant calendar access.`;
  if (asker.side !== 'candidate') throw new AppError('conflict', reconnect);
  await insertMessage(context.db, orgId, asker.conversationId, {
    sender: 'user',
    userId,
    body: `talentsync: a time could not be booked because the recruiter's calendar is not reachable (${problem}). The recruiter has been asked to reconnect it; the candidate can try again once they have.`,
  });
  throw new AppError(
    'unavailable',
    "The recruiter's calendar cannot be reached right now. They have been asked to reconnect it; please try again later. Nothing was booked.",
    undefined,
    { retryAfterSeconds: 3600 },
  );
}

/**
 * A provider call on the recruiter's calendar. A grant that died meanwhile is refused like a dead one; a
 * forced refresh first lets grants.ts record it on the connection (R7) when the refresh token is dead too.
 */
export async function onCalendar<T>(
  context: AppContext,
  opened: RecruiterCalendar,
  asker: Asker,
  call: (calendar: CalendarSource, token: string) => Promise<T>,
): Promise<T> {
  const { orgId, userId, id } = opened.connection;
  try {
    return await call(opened.calendar, opened.token);
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'auth_revoked') {
      await accessToken(context, orgId, id, { force: true }).catch(() => undefined);
      return refuse(context, orgId, userId, asker, 'the provider no longer accepts its access');
    }
    if (error instanceof ProviderError) {
      throw new AppError(
        'unavailable',
        'The calendar provider did not answer as expected; please try again in a minute. Nothing changed.',
        undefined,
        { retryAfterSeconds: Math.ceil((error.retryAfterMs ?? 30_000) / 1000) },
      );
    }
    throw error;
  }
}
