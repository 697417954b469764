/**
 * Configuration, read once from the environment and validated before anything starts.
 *
 * A bad value is a `ConfigError`; the CLI prints its one-line message and exits with code 2,
 * so an operator sees which variable is wrong instead of a stack trace.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One AES-256 key for the token vault, named so ciphertexts can say which key made them. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** Unset: the embedded PostgreSQL server in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** The first key encrypts; every key decrypts (rotation). */
  encryptionKeys: EncryptionKey[];
  logLevel: LogLevel;
  production: boolean;
  /** OAuth apps and endpoints per provider; a provider without credentials cannot be selected. */
  google: GoogleConfig | undefined;
  microsoft: MicrosoftConfig | undefined;
  sync: SyncConfig;
  database: DatabaseConfig;
  /** Unset: `/metrics` is not served; set: it answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  rateLimits: RateLimits;
  /** Fastify's `trustProxy`: which proxies' `X-Forwarded-For` names the client (rate limits count clients). */
  trustProxy: boolean | string[];
  /** R16: the days within which database backups age out; an erasure's answer states it. */
  backupRetentionDays: number;
  /**
   * The PostgreSQL text search configuration of search (`simple` unless set): which stemming and stop
   * words apply to subjects and bodies. Checked against `pg_ts_config` when the database opens.
   */
  searchLanguage: string;
  /** The company's identity provider the web app signs people in with; unset: no single sign-on. */
  sso: SsoConfig | undefined;
  sessions: SessionConfig;
  /** `SANDBOX_PORT`: where the demo's (or `talentsync sandbox`'s) provider sandbox listens; unset: any free port. */
  sandboxPort?: number | undefined;
}

/** OpenID Connect single sign-on for the web app (`SSO_ISSUER`, `SSO_CLIENT_ID`, `SSO_CLIENT_SECRET`). */
export interface SsoConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** How long a browser session lasts: at most `absoluteMs` after sign-in, and `idleMs` after its last use. */
export interface SessionConfig {
  absoluteMs: number;
  idleMs: number;
}

/**
 * How long a database may keep us waiting. An outage must answer fast (503) rather than hold requests and
 * connections: every statement, connection attempt and open transaction is bounded.
 */
export interface DatabaseConfig {
  /** A statement running longer is cancelled by the server (`statement_timeout`). */
  statementTimeoutMs: number;
  /** Longest wait for a connection: opening a new one, or a free one of the pool. */
  connectTimeoutMs: number;
  /** A session idle inside a transaction this long is ended by the server, freeing its locks. */
  idleInTransactionTimeoutMs: number;
  /** The API's and the worker's pools are separate, so a job storm cannot starve requests. */
  apiPoolSize: number;
  workerPoolSize: number;
}

/** How many of each counted request one key may make per minute (see `http/rate-limits.ts`). */
export interface RateLimits {
  /** Failed authentications per client address; past it, every authenticated route answers 429. */
  authFailures: number;
  /** Tokens minted per caller, on each minting route. */
  tokenMints: number;
  /** Connection (and admin consent) flows started per caller. */
  connectStarts: number;
  /** Webhook requests per client address, on each webhook route. */
  webhooks: number;
  /** R19 lookups per caller: each may cost one or two provider calls against the caller's mailbox quota. */
  whyLookups: number;
}

/** The limits when the environment names none. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  authFailures: 30,
  tokenMints: 30,
  connectStarts: 10,
  webhooks: 6000,
  whyLookups: 60,
};

/** Sessions when the environment names no lifetimes: twelve hours at most, one idle hour. */
export const DEFAULT_SESSIONS: SessionConfig = { absoluteMs: 12 * 3_600_000, idleMs: 60 * 60_000 };

export interface SyncConfig {
  /** A mailbox with neither push nor sync for this long is polled (push can go quiet). */
  pollQuietMs: number;
  /** R19's "why not synced" rows are kept this long. */
  decisionTtlMs: number;
  /** A message larger than this is not downloaded whole: its headers, text and attachment list are kept. */
  maxMessageBytes: number;
  /** Worker threads that read (parse and sanitize) mail off the event loop. */
  readThreads: number;
  /** The longest one message may take to read; past it, the message is set aside as unreadable. */
  readTimeoutMs: number;
}

/** Gmail push through Cloud Pub/Sub: the topic `users.watch` publishes to, and how pushes authenticate. */
export interface GooglePushConfig {
  topicName: string;
  /** The service account the push subscription signs its OIDC tokens as. */
  serviceAccountEmail: string;
  /** The `aud` the push subscription puts in its tokens (by default the webhook's URL). */
  audience: string;
  issuers: string[];
  jwksUrl: string;
}

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  /** The OIDC issuer: https://accounts.google.com, or the sandbox's. */
  issuer: string;
  /** Root of the Gmail and Calendar APIs (the clients' `rootUrl`). */
  apiRoot: string;
  /** Unset: no push, the poll alone keeps mailboxes in sync. */
  push: GooglePushConfig | undefined;
}

export interface MicrosoftConfig {
  clientId: string;
  clientSecret: string;
  /** The identity platform's origin: https://login.microsoftonline.com, or the sandbox's login root. */
  loginUrl: string;
  /** Graph's root, without the version: https://graph.microsoft.com, or the sandbox's. */
  graphUrl: string;
  /** The authority users sign in through: `common` (work and personal accounts, R8), `organizations`, or a tenant. */
  tenant: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws `ConfigError` naming the variable at fault. */
export function loadConfig(given: Env = process.env, options: { demo?: boolean } = {}): Config {
  const env = withSecretFiles(given);
  const production = env.NODE_ENV === 'production';
  const port = parsePortVariable(env, 'PORT', 3000);
  // The demo (its sandbox, its printed tokens) is for this machine only; production listens on every address.
  const host = env.HOST?.trim() || (options.demo ? '127.0.0.1' : '0.0.0.0');
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, port);
  const databaseUrl = parseDatabaseUrl(env.DATABASE_URL);
  const dataDir = path.resolve(env.DATA_DIR?.trim() || '.data');
  const logLevel = parseLogLevel(env.LOG_LEVEL);
  if (production && options.demo) {
    throw new ConfigError('NODE_ENV: demo mode (npm start) is not for production; use `talentsync start`');
  }
  const encryptionKeys = env.TOKEN_ENCRYPTION_KEY?.trim()
    ? parseEncryptionKeys(env.TOKEN_ENCRYPTION_KEY)
    : production
      ? missing('TOKEN_ENCRYPTION_KEY', 'required when NODE_ENV=production (32 bytes, base64)')
      : [demoKey(dataDir)];
  const googleApp = parseOAuthApp(env, 'GOOGLE');
  const google = googleApp && {
    ...googleApp,
    issuer: parseUrl(env, 'GOOGLE_ISSUER', 'https://accounts.google.com'),
    apiRoot: parseUrl(env, 'GOOGLE_API_ROOT', 'https://www.googleapis.com'),
    push: parseGooglePush(env, publicUrl),
  };
  const microsoftApp = parseOAuthApp(env, 'MICROSOFT');
  const microsoft = microsoftApp && {
    ...microsoftApp,
    loginUrl: parseUrl(env, 'MICROSOFT_LOGIN_URL', 'https://login.microsoftonline.com'),
    graphUrl: parseUrl(env, 'MICROSOFT_GRAPH_URL', 'https://graph.microsoft.com'),
    tenant: parseTenant(env.MICROSOFT_TENANT),
  };
  const sync = {
    pollQuietMs: parsePositive(env, 'SYNC_POLL_QUIET_SECONDS', 300) * 1000,
    decisionTtlMs: parsePositive(env, 'SYNC_DECISION_TTL_DAYS', 30) * 86_400_000,
    maxMessageBytes: parsePositive(env, 'SYNC_MAX_MESSAGE_BYTES', 10 * 1024 * 1024),
    // One thread on a two-core machine leaves the other core to the API and the job runner.
    readThreads: parsePositive(
      env,
      'SYNC_READ_THREADS',
      Math.min(2, Math.max(1, availableParallelism() - 1)),
    ),
    readTimeoutMs: parsePositive(env, 'SYNC_READ_TIMEOUT_SECONDS', 30) * 1000,
  };
  const database = {
    statementTimeoutMs: parsePositive(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000),
    connectTimeoutMs: parsePositive(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3_000),
    // Above the providers' 30 s call timeout: a token refresh calls the provider inside a transaction.
    idleInTransactionTimeoutMs: parsePositive(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000),
    apiPoolSize: parsePositive(env, 'DATABASE_API_POOL_SIZE', 10),
    workerPoolSize: parsePositive(env, 'DATABASE_WORKER_POOL_SIZE', 10),
  };
  const metricsToken = parseMetricsToken(env.METRICS_TOKEN);
  const rateLimits = {
    authFailures: parsePositive(env, 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', DEFAULT_RATE_LIMITS.authFailures),
    tokenMints: parsePositive(env, 'RATE_LIMIT_TOKEN_MINTS_PER_MINUTE', DEFAULT_RATE_LIMITS.tokenMints),
    connectStarts: parsePositive(
      env,
      'RATE_LIMIT_CONNECT_STARTS_PER_MINUTE',
      DEFAULT_RATE_LIMITS.connectStarts,
    ),
    webhooks: parsePositive(env, 'RATE_LIMIT_WEBHOOKS_PER_MINUTE', DEFAULT_RATE_LIMITS.webhooks),
    whyLookups: parsePositive(env, 'RATE_LIMIT_WHY_LOOKUPS_PER_MINUTE', DEFAULT_RATE_LIMITS.whyLookups),
  };
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    dataDir,
    encryptionKeys,
    logLevel,
    production,
    google,
    microsoft,
    sync,
    database,
    metricsToken,
    rateLimits,
    trustProxy,
    backupRetentionDays: parsePositive(env, 'BACKUP_RETENTION_DAYS', 30),
    searchLanguage: parseSearchLanguage(env.SEARCH_LANGUAGE),
    sso: parseSso(env),
    sessions: {
      absoluteMs: parsePositive(env, 'SESSION_MAX_HOURS', 12) * 3_600_000,
      idleMs: parsePositive(env, 'SESSION_IDLE_MINUTES', 60) * 60_000,
    },
    sandboxPort: env.SANDBOX_PORT?.trim() ? parsePortVariable(env, 'SANDBOX_PORT', 0) : undefined,
  };
}

/** `SSO_ISSUER` with its client, or nothing at all. */
function parseSso(env: Env): SsoConfig | undefined {
  const app = parseOAuthApp(env, 'SSO');
  const issuer = env.SSO_ISSUER?.trim();
  if (!app && !issuer) return undefined;
  if (!issuer) missing('SSO_ISSUER', 'required with SSO_CLIENT_ID (the identity provider’s issuer URL)');
  if (!app) missing('SSO_CLIENT_ID', 'required with SSO_ISSUER');
  return { ...app, issuer: parseUrl(env, 'SSO_ISSUER', issuer) };
}

/**
 * `simple` by default: candidates write in many languages, and `simple` matches every one of them word
 * for word (names, companies, skills), where `english` would stem and drop words of other languages.
 * Whether PostgreSQL knows the name is checked when the database opens (`runtime.ts`).
 */
function parseSearchLanguage(raw: string | undefined): string {
  const language = raw?.trim() || 'simple';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(language)) {
    throw new ConfigError(
      `SEARCH_LANGUAGE must name a PostgreSQL text search configuration (like simple or english), got "${raw}"`,
    );
  }
  return language;
}

/** A guessable token would make the metrics public again: at least 16 characters. */
function parseMetricsToken(raw: string | undefined): string | undefined {
  const token = raw?.trim();
  if (!token) return undefined;
  if (token.length < 16 || /\s/.test(token)) {
    throw new ConfigError(
      'METRICS_TOKEN must be at least 16 characters without spaces (openssl rand -hex 24)',
    );
  }
  return token;
}

/** `true` (any proxy), or comma-separated proxy addresses and CIDR ranges; unset: no proxy. */
function parseTrustProxy(raw: string | undefined): boolean | string[] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const bits = isIP(address) === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!named && (isIP(address) === 0 || !prefixOk || extra !== undefined)) {
      throw new ConfigError(`TRUST_PROXY must be true or proxy addresses/CIDR ranges, got "${entry}"`);
    }
  }
  return entries;
}

function parsePositive(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function parseGooglePush(env: Env, publicUrl: string): GooglePushConfig | undefined {
  const topicName = env.GOOGLE_PUBSUB_TOPIC?.trim();
  if (!topicName) return undefined;
  if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(topicName)) {
    throw new ConfigError(
      `GOOGLE_PUBSUB_TOPIC must look like projects/<project>/topics/<topic>, got "${topicName}"`,
    );
  }
  const serviceAccountEmail = env.GOOGLE_PUSH_SERVICE_ACCOUNT?.trim();
  if (!serviceAccountEmail) {
    missing(
      'GOOGLE_PUSH_SERVICE_ACCOUNT',
      'required with GOOGLE_PUBSUB_TOPIC (the push subscription’s service account)',
    );
  }
  const issuers = env.GOOGLE_PUSH_ISSUERS?.trim() || 'https://accounts.google.com,accounts.google.com';
  return {
    topicName,
    serviceAccountEmail,
    audience: env.GOOGLE_PUSH_AUDIENCE?.trim() || `${publicUrl}/webhooks/google`,
    issuers: issuers.split(',').map((issuer) => issuer.trim()),
    jwksUrl: parseUrl(env, 'GOOGLE_JWKS_URL', 'https://www.googleapis.com/oauth2/v3/certs'),
  };
}

/** `<P>_CLIENT_ID` and `<P>_CLIENT_SECRET` come together or not at all. */
function parseOAuthApp(env: Env, prefix: string): { clientId: string; clientSecret: string } | undefined {
  const clientId = env[`${prefix}_CLIENT_ID`]?.trim();
  const clientSecret = env[`${prefix}_CLIENT_SECRET`]?.trim();
  if (!clientId && !clientSecret) return undefined;
  if (!clientId) missing(`${prefix}_CLIENT_ID`, `required with ${prefix}_CLIENT_SECRET`);
  if (!clientSecret) missing(`${prefix}_CLIENT_SECRET`, `required with ${prefix}_CLIENT_ID`);
  return { clientId, clientSecret };
}

function parseUrl(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
}

function parseTenant(raw: string | undefined): string {
  // `common`, not `organizations`: R8 lets personal Microsoft accounts connect (with a warning).
  const tenant = raw?.trim() || 'common';
  if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenant)) {
    throw new ConfigError(
      `MICROSOFT_TENANT must be organizations, common, a tenant id or a domain, got "${raw}"`,
    );
  }
  return tenant;
}

function missing(name: string, why: string): never {
  throw new ConfigError(`${name} is missing: ${why}`);
}

/** A TCP port from the variable `name` (`PORT`, `SANDBOX_PORT`), or `fallback` when it is unset. */
export function parsePortVariable(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || port > 65535) {
    throw new ConfigError(`${name} must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/** The settings that may hold a secret, and so may come from a file instead (`<NAME>_FILE`). */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'TOKEN_ENCRYPTION_KEY',
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_SECRET',
  'SSO_CLIENT_SECRET',
  'METRICS_TOKEN',
] as const;

/**
 * Container and systemd secrets arrive as files (`/run/secrets/…`, `$CREDENTIALS_DIRECTORY/…`):
 * `<NAME>_FILE` names a file whose content (one trailing newline dropped) is the value of `<NAME>`.
 * Setting both is refused, since which one wins would be a guess.
 */
export function withSecretFiles(env: Env): Env {
  const resolved: Env = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      throw new ConfigError(`${name} and ${name}_FILE are both set: keep one`);
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
      throw new ConfigError(`${name}_FILE: cannot read ${file}: ${why}`);
    }
  }
  return resolved;
}

function parsePublicUrl(raw: string | undefined, port: number): string {
  if (raw === undefined || raw.trim() === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must use http or https, got "${url.protocol}"`);
  }
  return url.href.replace(/\/+$/, '');
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${url.protocol}//"`,
    );
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined || raw.trim() === '') return 'info';
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level as LogLevel;
}

/**
 * `TOKEN_ENCRYPTION_KEY` holds one key, or several separated by commas for rotation (the first encrypts).
 * Each is `[id:]base64`, decoding to exactly 32 bytes; an unnamed key is called `k1`, `k2`, … by position.
 */
export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const keys = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index) => {
      const colon = part.indexOf(':');
      const id = colon > 0 ? part.slice(0, colon) : `k${index + 1}`;
      const encoded = colon > 0 ? part.slice(colon + 1) : part;
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new ConfigError(`TOKEN_ENCRYPTION_KEY: key id "${id}" must be 1-32 letters, digits, _ or -`);
      }
      const key = Buffer.from(encoded, 'base64');
      if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
        throw new ConfigError(
          `TOKEN_ENCRYPTION_KEY: key "${id}" must be 32 bytes in base64 (openssl rand -base64 32)`,
        );
      }
      return { id, key };
    });
  if (keys.length === 0) throw new ConfigError('TOKEN_ENCRYPTION_KEY is empty');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError('TOKEN_ENCRYPTION_KEY: key ids must be distinct');
  }
  return keys;
}

/** Outside production the key is made once and kept beside the embedded database, readable only by us. */
function demoKey(dataDir: string): EncryptionKey {
  const file = path.join(dataDir, 'token-encryption-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `demo:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it between our check and our write: theirs is as good as ours.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  const [key] = parseEncryptionKeys(readFileSync(file, 'utf8'));
  if (!key) throw new ConfigError(`TOKEN_ENCRYPTION_KEY: ${file} holds no key`);
  return key;
}
