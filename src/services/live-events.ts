/**
 * Live updates for the web app: one `LISTEN` connection per API process hears every commit that changed
 * synced mail (`db/live-events.ts`, sent by the sync commit in whichever process ran it, and by visibility
 * changes), and tells each signed-in viewer it concerns *that* something changed. Never what: the viewer's
 * page refetches through the routes that enforce R15, so nothing reaches a viewer here that those routes
 * would not show. Scoped by organization: a change is matched against a viewer's `orgId` before anything
 * else, so no event of one tenant reaches another's viewer. A change to private threads reaches their owner
 * alone; colleagues hear only of changes to threads they may see.
 *
 * The listening connection is taken from the API's pool on the first subscription and held; when it fails
 * it is replaced after a second, and every viewer is told to refetch (changes may have been missed).
 */
import type pg from 'pg';
import { LIVE_CHANNEL, type LiveChange } from '../db/live-events.ts';
import type { Logger } from '../log.ts';

/** What a viewer is told: refetch the thread lists, or one member's history. */
export type LiveEvent = { type: 'threads' } | { type: 'history'; memberId: string };

export interface LiveViewer {
  orgId: string;
  userId: string;
}

export interface LiveEvents {
  /**
   * Starts telling `viewer` of changes through `send`; answers the unsubscribe function, or undefined when
   * the viewer already holds `maxPerViewer` subscriptions.
   */
  subscribe(viewer: LiveViewer, send: (event: LiveEvent) => void): Promise<(() => void) | undefined>;
  /** How many subscriptions are open (tests, metrics). */
  open(): number;
  /** Ends every subscription (their `onEnd`) and releases the listening connection. */
  close(): Promise<void>;
}

interface Subscriber {
  viewer: LiveViewer;
  send(event: LiveEvent): void;
}

export function createLiveEvents(
  pool: pg.Pool,
  logger: Logger,
  options: { maxPerViewer?: number } = {},
): LiveEvents {
  const maxPerViewer = options.maxPerViewer ?? 5;
  const subscribers = new Set<Subscriber>();
  let client: pg.PoolClient | undefined;
  let starting: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let listenedBefore = false;
  /** The error listener on the connection we hold, until it is given back. */
  const listeners = new Map<pg.PoolClient, (error: Error) => void>();

  const deliver = (change: LiveChange) => {
    for (const subscriber of subscribers) {
      const { viewer } = subscriber;
      if (viewer.orgId !== change.orgId) continue;
      if (viewer.userId !== change.ownerUserId && !change.shared) continue;
      subscriber.send({ type: 'threads' });
      // Members only to the owner: a page may mix shared and private threads, and a colleague told that a
      // member's history changed would learn of contact in a private one.
      if (viewer.userId !== change.ownerUserId) continue;
      for (const memberId of change.memberIds) subscriber.send({ type: 'history', memberId });
    }
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== LIVE_CHANNEL || !message.payload) return;
    try {
      deliver(JSON.parse(message.payload) as LiveChange);
    } catch (error) {
      logger.warn({ err: error }, 'live updates: unreadable notification ignored');
    }
  };

  const listen = async () => {
    const next = await pool.connect();
    if (closed) {
      next.release();
      return;
    }
    const onError = (error: Error) => {
      logger.warn({ err: error }, 'live updates: listening connection lost; listening again in 1 s');
      giveBack(next, error);
      starting = undefined;
      if (!closed && subscribers.size > 0) retry = setTimeout(() => void start().catch(() => {}), 1000);
    };
    listeners.set(next, onError);
    next.on('notification', onNotification);
    next.on('error', onError);
    await next.query(`listen ${LIVE_CHANNEL}`);
    client = next;
  };

  /**
   * Returns the listening connection to the pool, once, with our listeners off it: a connection given back
   * is the pool's, and a later loss of it (while idle there, or another caller's) is not ours to release.
   */
  const giveBack = (connection: pg.PoolClient, error?: Error) => {
    const onError = listeners.get(connection);
    if (!onError) return;
    listeners.delete(connection);
    connection.removeListener('notification', onNotification);
    connection.removeListener('error', onError);
    if (client === connection) client = undefined;
    connection.release(error);
  };

  const start = () => {
    starting ??= listen().then(
      () => {
        // After a lost connection, whatever changed meanwhile is unknown: every open page refetches once.
        if (listenedBefore) for (const subscriber of subscribers) subscriber.send({ type: 'threads' });
        listenedBefore = true;
      },
      (error: unknown) => {
        starting = undefined;
        logger.warn({ err: error }, 'live updates: cannot listen; trying again in 1 s');
        if (!closed) retry = setTimeout(() => void start().catch(() => {}), 1000);
      },
    );
    return starting;
  };

  return {
    async subscribe(viewer, send) {
      let held = 0;
      for (const subscriber of subscribers) {
        if (subscriber.viewer.orgId === viewer.orgId && subscriber.viewer.userId === viewer.userId) held += 1;
      }
      if (held >= maxPerViewer || closed) return undefined;
      const subscriber: Subscriber = { viewer, send };
      subscribers.add(subscriber);
      // Not awaited past the first attempt: a database that is down must not hold the stream's headers.
      if (!client) void start();
      return () => {
        subscribers.delete(subscriber);
      };
    },
    open: () => subscribers.size,
    async close() {
      closed = true;
      clearTimeout(retry);
      subscribers.clear();
      await starting?.catch(() => {});
      const held = client;
      if (held) {
        held.removeListener('notification', onNotification);
        await held.query(`unlisten ${LIVE_CHANNEL}`).catch(() => {});
        giveBack(held);
      }
    },
  };
}
