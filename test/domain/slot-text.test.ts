import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeSlot, type Interval } from '../../src/domain/slots.ts';

const span = (start: string, end: string): Interval => ({ start: new Date(start), end: new Date(end) });

describe('R18: a slot in words, in each side’s zone', () => {
  it('R18: the same slot reads in Berlin and New York time, with the zone named', () => {
    const slot = span('2026-12-08T13:30:00Z', '2026-12-08T14:00:00Z');
    assert.equal(describeSlot(slot, 'Europe/Berlin'), 'Tue 8 Dec, 14:30–15:00 (Europe/Berlin)');
    assert.equal(describeSlot(slot, 'America/New_York'), 'Tue 8 Dec, 08:30–09:00 (America/New_York)');
    assert.equal(describeSlot(slot, 'Asia/Kolkata'), 'Tue 8 Dec, 19:00–19:30 (Asia/Kolkata)');
    assert.equal(
      describeSlot(span('2026-12-08T22:45:00Z', '2026-12-08T23:15:00Z'), 'Europe/Berlin'),
      'Tue 8 Dec, 23:45–Wed 9 Dec, 00:15 (Europe/Berlin)',
    );
  });

  it('R18: a slot reads across a daylight-saving change at the local time, and in the locale asked for', () => {
    // 1 Nov 2026 in New York: 01:30 happens twice; the second one (EST) is 06:30 UTC.
    assert.equal(
      describeSlot(span('2026-11-01T06:30:00Z', '2026-11-01T07:00:00Z'), 'America/New_York'),
      'Sun 1 Nov, 01:30–02:00 (America/New_York)',
    );
    const slot = span('2026-12-08T13:30:00Z', '2026-12-08T14:00:00Z');
    assert.equal(
      describeSlot(slot, 'America/New_York', 'en-US'),
      'Tue, Dec 8, 08:30–09:00 (America/New_York)',
    );
    assert.equal(describeSlot(slot, 'Europe/Berlin', 'de-DE'), 'Di., 8. Dez., 14:30–15:00 (Europe/Berlin)');
  });
});
