/**
 * The connection pools and the Kysely instance over each, and how an outage of the database looks.
 *
 * Every wait on the database is bounded, so that an outage answers fast instead of holding requests:
 * the server cancels a statement past `statement_timeout` and ends a session idle in a transaction; the
 * client gives up on a new connection (or on a free one of the pool) past the connect timeout, and on a
 * statement the server never answers (a frozen or unreachable server cancels nothing) a moment after the
 * server would have. A client that gave up that way is discarded rather than pooled again: its socket still
 * waits for an answer that may never come. Pools reconnect by themselves once the server is back.
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Logger } from '../log.ts';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;

export interface Connection {
  db: Database;
  pool: pg.Pool;
  /** Ends every pooled connection; resolves when the pool is drained. */
  close(): Promise<void>;
}

/** Bounds on waiting for the database; unset, a wait is unbounded (as for migrations). */
export interface PoolTimeouts {
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export interface PoolOptions {
  max?: number;
  /** Shown in `pg_stat_activity`, so an operator sees which pool holds which session. */
  name?: string;
  timeouts?: PoolTimeouts;
}

// int8 (bigint counts, Gmail history ids) stays a string unless a repo converts it on purpose:
// a JavaScript number would silently lose precision past 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value);

/** How much longer than the server's own statement timeout the client waits before it gives up. */
const CLIENT_GRACE_MS = 1_000;

/** Opens a pool on the database at `url` with its Kysely instance. */
export function connect(url: string, logger: Logger, options: PoolOptions = {}): Connection {
  const { timeouts } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: timeouts?.connectTimeoutMs ?? 10_000,
    ...(options.name ? { application_name: options.name } : {}),
    ...(timeouts && {
      statement_timeout: timeouts.statementTimeoutMs,
      query_timeout: timeouts.statementTimeoutMs + CLIENT_GRACE_MS,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
      // A peer that vanished without a word (a lost machine, a dropped route) is noticed on idle sockets too.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    }),
  });
  // An idle client losing its server (a restart, or shutdown under way) must not crash the process. The
  // error carries the whole client (options, buffers): the log keeps what says what happened.
  const lost = (error: Error) => ({ code: (error as { code?: unknown }).code, message: error.message });
  pool.on('error', (error) => logger.warn(lost(error), 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn(lost(error), 'database connection lost'));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: discardingStuckClients(pool) }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => {
      // Kysely ends the pool only if it ever ran a query; a pool used directly (`pool.query`) is ended here.
      closing ??= db.destroy().then(() => (pool.ending ? undefined : pool.end()));
      return closing;
    },
  };
}

/** The pool as Kysely sees it: a client whose statement went unanswered is destroyed on release. */
function discardingStuckClients(pool: pg.Pool): PostgresPool {
  // One wrapper per pooled client, as Kysely keeps its per-connection state keyed by the client object.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient & { stuck: Error | undefined }>();
  const wrap = (client: pg.PoolClient) => {
    const wrapper = {
      stuck: undefined as Error | undefined,
      query: ((...args: unknown[]) => {
        // Once stuck, at once: a transaction's rollback must not wait out a second timeout behind the first.
        if (wrapper.stuck) return Promise.reject(wrapper.stuck);
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        // A cursor (streaming) comes back as is; a statement's promise is watched for a lost answer.
        if (!(result instanceof Promise)) return result;
        return result.catch((error: unknown) => {
          if (isDatabaseUnavailable(error) && !hasSqlState(error)) wrapper.stuck ??= error as Error;
          throw error;
        });
      }) as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy || wrapper.stuck !== undefined),
    };
    return wrapper;
  };
  return {
    options: pool.options,
    connect: async () => {
      const client = await pool.connect();
      const wrapper = wrappers.get(client) ?? wrap(client);
      wrappers.set(client, wrapper);
      wrapper.stuck = undefined;
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/** An error the server sent (it answered, so the connection still works), rather than one of the client. */
function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * SQLSTATE classes and codes that say "not now" rather than "wrong": connection exceptions (08), the
 * server out of resources (53), shutting down or starting up (57P), a cancelled statement (57014, how
 * `statement_timeout` ends one), a session ended for idling in a transaction (25P03), and a write to a
 * server that is read-only for now (25006: a primary turned standby during a failover).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P..|57014|25P03|25006)$/;
/** What Node's sockets say when the server is not there. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres gives its own timeouts and lost connections no code, only these messages. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;

/** Whether `error` means the database is down, unreachable or too slow (worth a retry later), not a bug. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return true;
  if (UNAVAILABLE_MESSAGE.test(error.message)) return true;
  // `localhost` resolves to ::1 and 127.0.0.1: a refused connection to both arrives as an AggregateError.
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))
  )
    return true;
  return isDatabaseUnavailable(error.cause, depth + 1);
}
