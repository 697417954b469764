/**
 * Graph's `dateTimeTimeZone` ({dateTime: "2026-11-26T10:00:00.0000000", timeZone}) to and from instants.
 * Graph accepts Windows time zone names and IANA names; the Windows names most used are mapped to IANA
 * here, and IANA names are resolved with Intl.
 */
import { wallClock } from '../time-zone.ts';

const WINDOWS: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'AUS Eastern Standard Time': 'Australia/Sydney',
};

export class TimeZoneError extends Error {}

function zone(name: string): string {
  const iana = WINDOWS[name] ?? name;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: iana });
  } catch {
    throw new TimeZoneError(`The time zone '${name}' is not supported.`);
  }
  return iana;
}

/** The instant a Graph `dateTimeTimeZone` names. */
export function toInstant(value: { dateTime?: unknown; timeZone?: unknown } | undefined): number {
  if (!value || typeof value.dateTime !== 'string') throw new TimeZoneError('dateTime is required.');
  const iana = zone(typeof value.timeZone === 'string' && value.timeZone !== '' ? value.timeZone : 'UTC');
  const wall = Date.parse(`${value.dateTime.replace(/Z$/, '').slice(0, 23)}Z`);
  if (Number.isNaN(wall)) throw new TimeZoneError(`'${value.dateTime}' is not a valid dateTime.`);
  let instant = wall - (wallClock(wall, iana) - wall);
  instant = wall - (wallClock(instant, iana) - instant);
  return instant;
}

/** An instant as a Graph `dateTimeTimeZone` in the given zone. */
export function fromInstant(ms: number, timeZone: string): { dateTime: string; timeZone: string } {
  const wall = wallClock(ms, zone(timeZone));
  return { dateTime: `${new Date(wall).toISOString().slice(0, 19)}.0000000`, timeZone };
}
