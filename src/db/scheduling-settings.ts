/**
 * A recruiter's scheduling defaults (R18): working hours in their IANA zone, minimum notice, buffers and
 * daily cap for proposing, and how late and how often a candidate may change a booking. A recruiter who
 * never saved any gets `DEFAULT_SCHEDULING`.
 */
import type { Database } from './database.ts';

export interface SchedulingSettings {
  timeZone: string;
  workingHours: { days: number[]; start: string; end: string };
  minimumNoticeMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  /** Interviews per day in the recruiter's zone; null for no cap. */
  dailyCap: number | null;
  /** A candidate may reschedule or cancel until this long before the start. */
  changeCutoffMinutes: number;
  /** How many times a candidate may reschedule one booking. */
  maxReschedules: number;
}

/** R18's decided defaults: 12 hours' notice, changes up to 2 hours before, twice. Days are ISO (1 = Monday). */
export const DEFAULT_SCHEDULING: SchedulingSettings = {
  timeZone: 'UTC',
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  minimumNoticeMinutes: 12 * 60,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  dailyCap: 4,
  changeCutoffMinutes: 120,
  maxReschedules: 2,
};

export async function findSchedulingSettings(
  db: Database,
  orgId: string,
  userId: string,
): Promise<SchedulingSettings> {
  const row = await db
    .selectFrom('scheduling_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return DEFAULT_SCHEDULING;
  return {
    timeZone: row.time_zone,
    workingHours: { days: row.working_days, start: row.work_start, end: row.work_end },
    minimumNoticeMinutes: row.minimum_notice_minutes,
    bufferBeforeMinutes: row.buffer_before_minutes,
    bufferAfterMinutes: row.buffer_after_minutes,
    dailyCap: row.daily_cap,
    changeCutoffMinutes: row.change_cutoff_minutes,
    maxReschedules: row.max_reschedules,
  };
}

export async function saveSchedulingSettings(
  db: Database,
  orgId: string,
  userId: string,
  settings: SchedulingSettings,
): Promise<void> {
  const values = {
    time_zone: settings.timeZone,
    working_days: settings.workingHours.days,
    work_start: settings.workingHours.start,
    work_end: settings.workingHours.end,
    minimum_notice_minutes: settings.minimumNoticeMinutes,
    buffer_before_minutes: settings.bufferBeforeMinutes,
    buffer_after_minutes: settings.bufferAfterMinutes,
    daily_cap: settings.dailyCap,
    change_cutoff_minutes: settings.changeCutoffMinutes,
    max_reschedules: settings.maxReschedules,
  };
  await db
    .insertInto('scheduling_settings')
    .values({ org_id: orgId, user_id: userId, ...values })
    .onConflict((conflict) =>
      conflict.columns(['org_id', 'user_id']).doUpdateSet({ ...values, updated_at: new Date() }),
    )
    .execute();
}
