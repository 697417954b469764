import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSlots, type SlotRules, validateRules } from '../../src/domain/slots.ts';

const berlin: SlotRules = {
  timeZone: 'Europe/Berlin',
  durationMinutes: 30,
  workingHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  minimumNoticeMinutes: 720,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  dailyCap: null,
  maxSlots: 50,
  horizonDays: 7,
};
const at = (iso: string) => new Date(iso);
const monday = at('2026-12-07T06:00:00Z');

describe('R18: rules are validated in words', () => {
  it('R18: a bad zone, hours ending before they start, a cap below one and other bounds are refused', () => {
    assert.equal(validateRules(berlin), null);
    const problems: [Partial<SlotRules>, RegExp][] = [
      [{ timeZone: 'Mars/Olympus' }, /IANA time zone/],
      [{ timeZone: '+05:30' }, /IANA time zone/],
      [{ durationMinutes: 20 as 30 }, /duration/],
      [{ workingHours: { days: [1], start: '17:00', end: '09:00' } }, /end after they start/],
      [{ workingHours: { days: [1], start: '09:00', end: '09:00' } }, /end after they start/],
      [{ workingHours: { days: [1], start: '09:00', end: '09:20' } }, /shorter than one 30-minute/],
      [{ workingHours: { days: [], start: '09:00', end: '17:00' } }, /at least one day/],
      [{ workingHours: { days: [0], start: '09:00', end: '17:00' } }, /1 \(Monday\) to 7/],
      [{ workingHours: { days: [1, 1], start: '09:00', end: '17:00' } }, /twice/],
      [{ workingHours: { days: [1], start: '9:00', end: '17:00' } }, /HH:MM/],
      [{ workingHours: { days: [1], start: '09:00', end: '25:00' } }, /HH:MM/],
      [{ dailyCap: 0 }, /daily cap/],
      [{ bufferBeforeMinutes: 121 }, /buffer before/],
      [{ bufferAfterMinutes: -1 }, /buffer after/],
      [{ maxSlots: 51 }, /slots/],
      [{ horizonDays: 31 }, /horizon/],
      [{ minimumNoticeMinutes: 1.5 }, /notice/],
      [{ stepMinutes: 7 }, /minutes apart/],
    ];
    for (const [change, words] of problems) {
      assert.match(validateRules({ ...berlin, ...change }) ?? '', words, JSON.stringify(change));
    }
    assert.equal(
      validateRules({ ...berlin, workingHours: { days: [1], start: '20:00', end: '24:00' } }),
      null,
    );
    assert.throws(() => computeSlots({ now: at('not a time'), rules: berlin, busy: [], bookings: [] }), {
      code: 'validation_failed',
    });
    assert.throws(
      () => computeSlots({ now: monday, rules: { ...berlin, dailyCap: 0 }, busy: [], bookings: [] }),
      {
        code: 'validation_failed',
      },
    );
  });
});
