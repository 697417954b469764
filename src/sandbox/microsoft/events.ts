/**
 * Calendar events of each mailbox's primary calendar, and their Graph JSON ("event resource type"). An
 * event created with `isOnlineMeeting: true` and `onlineMeetingProvider: "teamsForBusiness"` gets a Teams
 * meeting: `onlineMeeting.joinUrl` of the form `https://teams.microsoft.com/l/meetup-join/…`. Consumer
 * (MSA) calendars cannot host Teams for Business meetings, so theirs stay plain events.
 *
 * Each event also keeps what the emulator stands in for beyond Graph: the `transactionId` a create was
 * deduplicated on, whether the owner declined it or deleted it (the organizer's `cancel` and DELETE move it
 * to Deleted Items: Graph reads no longer find it, the control API still shows it), and how many
 * invitations, updates and cancellations Exchange would have mailed to its attendees.
 */
import type { User } from './directory.ts';
import { CONSUMER_TENANT_ID } from './directory.ts';
import type { Ids } from './ids.ts';
import { graphDate } from './message-json.ts';
import { fromInstant } from './timezones.ts';

export interface Attendee {
  address: string;
  name: string;
  type: 'required' | 'optional' | 'resource';
}

export interface CalendarEvent {
  id: string;
  iCalUId: string;
  organizer: User;
  subject: string;
  body: { contentType: 'html' | 'text'; content: string };
  start: number;
  end: number;
  startZone: string;
  endZone: string;
  location: string;
  attendees: Attendee[];
  showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere';
  joinUrl: string | undefined;
  /** Whether a Teams meeting was asked for (`isOnlineMeeting`), whatever became of it. */
  online: boolean;
  /** The create's `transactionId`: a second create with it answers this event. */
  transactionId: string | undefined;
  /** The owner's own response: `organizer`, or `declined` when declined in the calendar (control API). */
  ownerResponse: 'organizer' | 'declined';
  /** Set when cancelled or deleted: in Deleted Items, gone from the calendar for Graph. */
  deletedAt: number | undefined;
  /** Mails to the attendees Exchange would have sent. */
  sent: Sent;
  /** A conference fault in force when the event was made (`late`: the join URL only on a later read). */
  conferenceFault: ConferenceFault | undefined;
  createdAt: number;
  modifiedAt: number;
  changeKey: string;
}

export interface Sent {
  invitations: number;
  updates: number;
  cancellations: number;
}

/**
 * Conference faults (control API): `late` leaves the Teams join URL out of the create's answer (it comes
 * on a later read), `stuck` and `fail` never give one (Graph has no pending state: the event stays plain).
 */
export type ConferenceFault = 'late' | 'stuck' | 'fail';

export interface Calendars {
  /** Every event of the user's calendar, those in Deleted Items included (see `live`). */
  of(user: User): Map<string, CalendarEvent>;
  /** The events Graph still finds: not cancelled or deleted. */
  live(user: User): CalendarEvent[];
  /** The conference fault set for a mailbox, if any. */
  conferenceFaults: Map<string, ConferenceFault>;
  /** A blank busy event organized by the user (not yet stored). */
  blank(user: User, now: number): CalendarEvent;
  /** A Teams meeting join URL for a meeting organized by this user. */
  teamsJoinUrl(user: User): string | undefined;
  /** Every user's events by id (data a snapshot keeps). */
  byUser: Map<string, Map<string, CalendarEvent>>;
  reset(): void;
}

export function createCalendars(ids: Ids): Calendars {
  const calendars = new Map<string, Map<string, CalendarEvent>>();
  const conferenceFaults = new Map<string, ConferenceFault>();
  return {
    conferenceFaults,
    byUser: calendars,
    live(user) {
      return [...(calendars.get(user.email)?.values() ?? [])].filter(
        (event) => event.deletedAt === undefined,
      );
    },
    of(user) {
      let events = calendars.get(user.email);
      if (!events) {
        events = new Map();
        calendars.set(user.email, events);
      }
      return events;
    },
    blank: (user, now) => ({
      id: ids.eventId(),
      iCalUId: `040000008200E00074C5B7101A82E008${ids.guid().replace(/-/g, '').toUpperCase()}`,
      organizer: user,
      subject: '',
      body: { contentType: 'html', content: '' },
      start: now,
      end: now,
      startZone: 'UTC',
      endZone: 'UTC',
      location: '',
      attendees: [],
      showAs: 'busy',
      joinUrl: undefined,
      online: false,
      transactionId: undefined,
      ownerResponse: 'organizer',
      deletedAt: undefined,
      sent: { invitations: 0, updates: 0, cancellations: 0 },
      conferenceFault: undefined,
      createdAt: now,
      modifiedAt: now,
      changeKey: ids.changeKey(),
    }),
    teamsJoinUrl(user) {
      if (user.tenantId === CONSUMER_TENANT_ID) return undefined;
      const thread = ids.guid().replace(/-/g, '').slice(0, 24);
      const context = encodeURIComponent(JSON.stringify({ Tid: user.tenantId, Oid: user.oid })).toLowerCase();
      return `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${thread}%40thread.v2/0?context=${context}`;
    },
    reset() {
      calendars.clear();
      conferenceFaults.clear();
    },
  };
}

/** The event as Graph's JSON, times in the given zone (Prefer: outlook.timezone, else UTC). */
export function eventJson(event: CalendarEvent, timeZone: string): Record<string, unknown> {
  const preview = event.body.content
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255);
  return {
    '@odata.etag': `W/"${event.changeKey}"`,
    id: event.id,
    createdDateTime: graphDate(event.createdAt),
    lastModifiedDateTime: graphDate(event.modifiedAt),
    changeKey: event.changeKey,
    categories: [],
    transactionId: event.transactionId ?? null,
    originalStartTimeZone: event.startZone,
    originalEndTimeZone: event.endZone,
    iCalUId: event.iCalUId,
    reminderMinutesBeforeStart: 15,
    isReminderOn: true,
    hasAttachments: false,
    subject: event.subject,
    bodyPreview: preview,
    importance: 'normal',
    sensitivity: 'normal',
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: true,
    seriesMasterId: null,
    showAs: event.showAs,
    type: 'singleInstance',
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(event.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: event.online,
    onlineMeetingProvider: event.online ? 'teamsForBusiness' : 'unknown',
    allowNewTimeProposals: true,
    isDraft: false,
    hideAttendees: false,
    responseStatus: { response: event.ownerResponse, time: '0001-01-01T00:00:00Z' },
    body: event.body,
    start: fromInstant(event.start, timeZone),
    end: fromInstant(event.end, timeZone),
    location: {
      displayName: event.location,
      locationType: 'default',
      uniqueIdType: 'unknown',
      address: {},
      coordinates: {},
    },
    locations: event.location
      ? [{ displayName: event.location, locationType: 'default', uniqueIdType: 'unknown' }]
      : [],
    recurrence: null,
    attendees: event.attendees.map((attendee) => ({
      type: attendee.type,
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: attendee.name, address: attendee.address },
    })),
    organizer: { emailAddress: { name: event.organizer.name, address: event.organizer.email } },
    onlineMeeting:
      event.joinUrl === undefined || event.conferenceFault === 'late' ? null : { joinUrl: event.joinUrl },
  };
}
