/**
 * Which of the free slots a proposal offers when there are more than `maxSlots` (R18). A candidate who can only
 * do afternoons, or lives eight hours away, needs more than every morning's first slot: days are taken round-robin
 * (each day once, then each day again, …), and each pick is the day's free slot whose time of day is farthest from
 * the times of day already offered (ties to the earlier), so the offer spreads over days and over the day. The
 * first pick is the first day's earliest slot.
 */

/** One working day's free, disjoint slot starts (epoch ms, ascending) and when its working hours open. */
export interface FreeDay {
  open: number;
  starts: number[];
}

/** At most `count` starts, spread over the days and the hours, ascending. */
export function spreadSlots(days: readonly FreeDay[], count: number): number[] {
  const left = days.map((day) => ({ open: day.open, starts: [...day.starts] }));
  const timesOfDay: number[] = [];
  const chosen: number[] = [];
  let picked = true;
  while (chosen.length < count && picked) {
    picked = false;
    for (const day of left) {
      if (chosen.length === count) break;
      let best = -1;
      let bestDistance = -1;
      for (const [index, start] of day.starts.entries()) {
        const distance = nearest(timesOfDay, start - day.open);
        if (distance > bestDistance) {
          best = index;
          bestDistance = distance;
        }
      }
      if (best < 0) continue;
      const [start] = day.starts.splice(best, 1) as [number];
      chosen.push(start);
      timesOfDay.push(start - day.open);
      picked = true;
    }
  }
  return chosen.sort((a, b) => a - b);
}

/** The distance from a time of day to the nearest one already offered (0 when none is). */
function nearest(timesOfDay: readonly number[], timeOfDay: number): number {
  let distance = timesOfDay.length === 0 ? 0 : Number.POSITIVE_INFINITY;
  for (const other of timesOfDay) distance = Math.min(distance, Math.abs(other - timeOfDay));
  return distance;
}
