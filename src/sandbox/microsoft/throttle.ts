/**
 * Outlook's throttling, evaluated per app and mailbox ("Microsoft Graph service-specific throttling limits",
 * Outlook service limits): at most 4 requests in flight and 10,000 requests in any 10 minutes. Over either
 * limit Graph answers 429 ApplicationThrottled with Retry-After.
 */
import type { Clock } from '../clock.ts';
import { createRateWindow } from '../rate-window.ts';
import type { MicrosoftSettings } from './settings.ts';

export type Admission =
  | { admitted: true; release(): void }
  | { admitted: false; retryAfterSeconds: number; message: string };

export interface Throttle {
  admit(clientId: string, mailbox: string): Admission;
  reset(): void;
}

export function createThrottle(clock: Clock, settings: MicrosoftSettings): Throttle {
  const window = createRateWindow(clock, settings.requestsPerWindow, settings.requestWindowMs);
  const inFlight = new Map<string, number>();
  return {
    admit(clientId, mailbox) {
      const key = `${clientId}\u0000${mailbox}`;
      const running = inFlight.get(key) ?? 0;
      if (running >= settings.concurrentRequests) {
        return {
          admitted: false,
          retryAfterSeconds: 1,
          message: 'Application is over its MailboxConcurrency limit.',
        };
      }
      const taken = window.take(key, 1);
      if (!taken.ok) {
        return {
          admitted: false,
          retryAfterSeconds: Math.ceil(taken.retryAfterMs / 1000),
          message: 'Application is over its MailboxRequests limit.',
        };
      }
      inFlight.set(key, running + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          const left = (inFlight.get(key) ?? 1) - 1;
          if (left > 0) inFlight.set(key, left);
          else inFlight.delete(key);
        },
      };
    },
    reset() {
      window.reset();
      inFlight.clear();
    },
  };
}
