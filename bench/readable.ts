/**
 * When a delivered message becomes readable through the API, for many recruiters at once, over HTTP: each
 * recruiter's live update stream (`GET /api/events`, server-sent events) says *that* their threads changed,
 * and each such event is answered with one `GET /api/threads` of that recruiter; a subject it lists is
 * readable at the moment that answer arrived. Events carry no content, so readiness is always what the
 * thread list shows, never the database or the stream.
 *
 * A fallback poll catches what an event would miss (a stream reconnecting): every `pollMs`, a few of the
 * recruiters waiting longest (at most `pollBatch`, each waiting more than `pollMs` and not listed within
 * `pollMs`) are checked too. The poll is bounded so that it does not become the load it measures: a
 * thousand recruiters listed every second would be a thousand requests a second on the app's two cores.
 * Checks of one recruiter never overlap (one more runs after the current one when asked meanwhile), and at
 * most `concurrency` thread lists are in flight at once (a fleet of browsers would not be bounded, but a
 * bench sharing the app's process must be).
 */

/** The coarsest time stamp a provider puts on mail (Graph's receivedDateTime has whole seconds). */
const STAMP_MS = 1000;
/** How far back the fallback poll's thread list reaches before the oldest subject still waiting. */
const POLL_STAMP_MS = 10_000;

interface Waiting {
  sentAt: number;
  resolve(latencyMs: number): void;
}

interface Recruiter {
  token: string;
  waiting: Map<string, Waiting>;
  checking: boolean;
  again: boolean;
  /** What asked for the check under way: an event, or the fallback poll. */
  cause: 'event' | 'poll';
  /** When its threads were last listed (performance.now()). */
  listedAt: number;
  /** When each message still relevant was sent to it: how deep a list must go. */
  sent: number[];
  stream: AbortController | undefined;
}

export interface ReadableWatch {
  /** Waits until `subject` is listed for the recruiter of `token`; answers the ms since `sentAt`. */
  expect(token: string, subject: string, sentAt: number): Promise<number>;
  /** Opens the recruiter's event stream (and waits until it is open). */
  watch(token: string): Promise<void>;
  /** How readiness was seen: after an event, or by the fallback poll; and thread lists fetched. */
  stats(): { byEvent: number; byPoll: number; lists: number; events: number; reconnects: number };
  close(): void;
}

export function readableWatch(
  baseUrl: string,
  options: { pollMs: number; pollBatch: number; concurrency: number },
): ReadableWatch {
  const recruiters = new Map<string, Recruiter>();
  const stats = { byEvent: 0, byPoll: 0, lists: 0, events: 0, reconnects: 0 };
  let closed = false;
  let inFlight = 0;
  const slots: (() => void)[] = [];
  const acquire = async () => {
    if (inFlight >= options.concurrency) await new Promise<void>((resolve) => slots.push(resolve));
    inFlight += 1;
  };
  const release = () => {
    inFlight -= 1;
    slots.shift()?.();
  };

  const recruiterOf = (token: string) => {
    let recruiter = recruiters.get(token);
    if (!recruiter) {
      recruiter = {
        token,
        waiting: new Map(),
        checking: false,
        again: false,
        cause: 'poll',
        listedAt: 0,
        sent: [],
        stream: undefined,
      };
      recruiters.set(token, recruiter);
    }
    return recruiter;
  };

  const check = async (recruiter: Recruiter, cause: 'event' | 'poll') => {
    if (recruiter.checking) {
      recruiter.again = true;
      if (cause === 'event') recruiter.cause = 'event';
      return;
    }
    recruiter.checking = true;
    recruiter.cause = cause;
    try {
      do {
        recruiter.again = false;
        const asked = recruiter.cause;
        recruiter.cause = 'poll';
        if (recruiter.waiting.size === 0) break;
        await acquire();
        try {
          // Threads are listed newest first: deep enough to reach the oldest subject still waiting, which
          // is as deep as the messages sent to this recruiter since (plus a few), a page of 200 at a time.
          // Graph stamps mail to the whole second and threads of one second come in id order, so messages
          // sent before it may be listed above it: those sent up to a second before count too, and the
          // fallback poll (a subject waiting for long) goes back further, as a busy provider's stamps lag
          // the moments the bench sent at (one stamped second held 30 messages sent over 1.5 s).
          let oldest = Number.POSITIVE_INFINITY;
          for (const waiting of recruiter.waiting.values()) oldest = Math.min(oldest, waiting.sentAt);
          const margin = asked === 'poll' ? POLL_STAMP_MS : STAMP_MS;
          let depth = recruiter.sent.filter((sentAt) => sentAt >= oldest - margin).length + 10;
          let cursor: string | null = null;
          do {
            const limit = Math.min(200, depth);
            const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
            const response = await fetch(`${baseUrl}/api/threads?${query}`, {
              headers: { authorization: `Bearer ${recruiter.token}` },
            });
            if (!response.ok)
              throw new Error(`GET /api/threads: ${response.status} ${await response.text()}`);
            const page = (await response.json()) as {
              threads: { subject: string }[];
              nextCursor: string | null;
            };
            const seenAt = performance.now();
            recruiter.listedAt = seenAt;
            stats.lists += 1;
            for (const { subject } of page.threads) {
              const waiting = recruiter.waiting.get(subject);
              if (!waiting) continue;
              recruiter.waiting.delete(subject);
              stats[asked === 'event' ? 'byEvent' : 'byPoll'] += 1;
              waiting.resolve(seenAt - waiting.sentAt);
            }
            depth -= limit;
            cursor = page.nextCursor;
          } while (depth > 0 && cursor && recruiter.waiting.size > 0);
          // What was sent well before every subject now waiting is no longer needed to size a list. With
          // none waiting, what was sent lately still is: the next message may share its stamp second
          // (dropping it all here once left a message below the list's reach for good).
          let first = performance.now();
          for (const waiting of recruiter.waiting.values()) first = Math.min(first, waiting.sentAt);
          recruiter.sent = recruiter.sent.filter((sentAt) => sentAt >= first - POLL_STAMP_MS);
        } finally {
          release();
        }
      } while (recruiter.again && !closed);
    } finally {
      recruiter.checking = false;
    }
  };

  const listen = async (recruiter: Recruiter, opened?: () => void) => {
    while (!closed) {
      const controller = new AbortController();
      recruiter.stream = controller;
      try {
        const response = await fetch(`${baseUrl}/api/events`, {
          headers: { authorization: `Bearer ${recruiter.token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`GET /api/events: ${response.status}`);
        opened?.();
        opened = undefined;
        // Whatever happened while the stream was closed is looked at once.
        void check(recruiter, 'poll');
        const decoder = new TextDecoder();
        let buffered = '';
        for await (const chunk of response.body) {
          buffered += decoder.decode(chunk, { stream: true });
          let end = buffered.indexOf('\n\n');
          while (end >= 0) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            if (event.includes('data:')) {
              stats.events += 1;
              void check(recruiter, 'event');
            }
            end = buffered.indexOf('\n\n');
          }
        }
      } catch (error) {
        if (closed) return;
        if (opened) throw error;
      }
      if (closed) return;
      stats.reconnects += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const poll = setInterval(() => {
    const now = performance.now();
    const due: { recruiter: Recruiter; since: number }[] = [];
    for (const recruiter of recruiters.values()) {
      if (recruiter.checking || now - recruiter.listedAt < options.pollMs) continue;
      let since = now;
      for (const waiting of recruiter.waiting.values()) since = Math.min(since, waiting.sentAt);
      if (now - since >= options.pollMs) due.push({ recruiter, since });
    }
    due.sort((a, b) => a.since - b.since);
    for (const { recruiter } of due.slice(0, options.pollBatch)) void check(recruiter, 'poll');
  }, options.pollMs);

  return {
    expect(token, subject, sentAt) {
      const recruiter = recruiterOf(token);
      recruiter.sent.push(sentAt);
      return new Promise((resolve) => {
        recruiter.waiting.set(subject, { sentAt, resolve });
      });
    },
    watch(token) {
      const recruiter = recruiterOf(token);
      return new Promise((resolve, reject) => {
        listen(recruiter, resolve).catch(reject);
      });
    },
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      clearInterval(poll);
      for (const recruiter of recruiters.values()) recruiter.stream?.abort();
    },
  };
}
