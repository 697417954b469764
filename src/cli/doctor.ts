/**
 * `talentsync doctor`: read-only checks of a deployment, each answered by one line in words with what to do.
 *
 * Settings are checked one by one (not through `loadConfig`, which stops at the first bad one), so every
 * problem is named in one run. Exit codes: 0 all good (warnings allowed), 1 a problem found, 2 a check that
 * could not run at all (no database to ask). Nothing is written anywhere; `--probe` calls our own public URL
 * from here as a provider would, and the discovery checks read the providers' public metadata.
 */
import { type Config, ConfigError, loadConfig, parseEncryptionKeys, withSecretFiles } from '../config.ts';
import { connect } from '../db/database.ts';
import {
  appliedMigrations,
  clockSkewMs,
  connectionsAwaitingReauthorization,
  jobSchemaExists,
  pushChannelsNearExpiry,
  workerSigns,
} from '../db/health.ts';
import { migrations } from '../db/migrations/index.ts';
import { createLogger } from '../log.ts';
import { printConfig } from './print-config.ts';

export type Status = 'ok' | 'warning' | 'problem' | 'unchecked';

export interface Check {
  name: string;
  status: Status;
  /** What was found, in words. */
  message: string;
  /** What to do about it, when anything. */
  action?: string;
}

type Env = Record<string, string | undefined>;

const CLOCK_SKEW_MS = 5_000;
const PUSH_EXPIRY_MS = 3_600_000;
const WORKER_QUIET_MS = 5 * 60_000;
const SECRET_WARNING_DAYS = 30;

export async function doctorCommand(options: { json?: boolean; probe?: boolean; printConfig?: boolean }) {
  if (options.printConfig) return printConfig(options.json ?? false);
  const checks = await runChecks(process.env, { probe: options.probe ?? false });
  const code = exitCodeOf(checks);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ exitCode: code, checks }, null, 2)}\n`);
  } else {
    const marks: Record<Status, string> = { ok: 'ok', warning: 'warn', problem: 'FAIL', unchecked: 'skip' };
    for (const check of checks) {
      const action = check.action ? ` → ${check.action}` : '';
      process.stdout.write(`[${marks[check.status].padEnd(4)}] ${check.name}: ${check.message}${action}\n`);
    }
    const verdict = ['all good', 'problems found', 'some checks could not run'][code];
    process.stdout.write(`${verdict}\n`);
  }
  return code;
}

/** 1 when anything is wrong; else 2 when the database could not be asked; else 0. */
export function exitCodeOf(checks: Check[]): 0 | 1 | 2 {
  if (checks.some((check) => check.status === 'problem')) return 1;
  if (checks.some((check) => check.status === 'unchecked')) return 2;
  return 0;
}

/** Every check, in the order an operator would fix things. */
export async function runChecks(given: Env, options: { probe: boolean }): Promise<Check[]> {
  const checks: Check[] = [];
  let env: Env;
  try {
    env = withSecretFiles(given);
  } catch (error) {
    checks.push(problem('secret files', (error as Error).message, 'fix the path in the *_FILE variable'));
    env = given;
  }
  checks.push(...settingsChecks(env));
  let config: Config | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push(
      problem('configuration', error.message, 'fix that variable; `talentsync api` refuses to start'),
    );
  }
  if (config) checks.push(...(await discoveryChecks(config)));
  if (config && options.probe) checks.push(...(await probeChecks(config.publicUrl)));
  checks.push(...(await databaseChecks(env, config)));
  return checks;
}

function settingsChecks(env: Env): Check[] {
  const checks: Check[] = [];
  const production = env.NODE_ENV === 'production';
  const rawKey = env.TOKEN_ENCRYPTION_KEY?.trim();
  if (!rawKey) {
    checks.push(
      production
        ? problem('encryption key', 'TOKEN_ENCRYPTION_KEY is not set', 'set it: openssl rand -base64 32')
        : warning(
            'encryption key',
            'TOKEN_ENCRYPTION_KEY is not set: a demo key in DATA_DIR is used',
            'set one for any real deployment (openssl rand -base64 32)',
          ),
    );
  } else {
    try {
      const keys = parseEncryptionKeys(rawKey);
      checks.push(ok('encryption key', `${keys.length} key(s); "${keys[0]?.id}" seals new tokens`));
    } catch (error) {
      checks.push(
        problem('encryption key', (error as Error).message, 'generate one: openssl rand -base64 32'),
      );
    }
  }
  const publicUrl = env.PUBLIC_URL?.trim();
  if (!publicUrl) {
    checks.push(
      (production ? problem : warning)(
        'public URL',
        'PUBLIC_URL is not set: providers cannot reach http://localhost',
        'set PUBLIC_URL to the https:// address your proxy serves',
      ),
    );
  } else if (!publicUrl.startsWith('https://')) {
    checks.push(
      problem(
        'public URL',
        `PUBLIC_URL is ${publicUrl}: Google and Microsoft send OAuth redirects and notifications to HTTPS only`,
        'put TLS in front (docs/deployment.md) and set PUBLIC_URL to its https:// address',
      ),
    );
  } else checks.push(ok('public URL', `${publicUrl} is HTTPS`));

  const google = Boolean(env.GOOGLE_CLIENT_ID?.trim() || env.GOOGLE_CLIENT_SECRET?.trim());
  const microsoft = Boolean(env.MICROSOFT_CLIENT_ID?.trim() || env.MICROSOFT_CLIENT_SECRET?.trim());
  for (const [provider, chosen] of [
    ['GOOGLE', google],
    ['MICROSOFT', microsoft],
  ] as const) {
    if (!chosen) continue;
    const absent = ['CLIENT_ID', 'CLIENT_SECRET'].filter((part) => !env[`${provider}_${part}`]?.trim());
    if (absent.length > 0) {
      checks.push(
        problem(
          `${provider.toLowerCase()} client`,
          `${absent.map((part) => `${provider}_${part}`).join(' and ')} missing`,
          `copy it from the ${provider === 'GOOGLE' ? 'Google Cloud OAuth client' : 'Entra app registration'} (docs/integration/)`,
        ),
      );
    } else checks.push(ok(`${provider.toLowerCase()} client`, 'client id and secret set'));
  }
  if (!google && !microsoft) {
    checks.push(
      problem(
        'providers',
        'neither Google nor Microsoft is configured: no organization can choose a provider',
        'follow docs/integration/google.md or docs/integration/microsoft.md',
      ),
    );
  }
  if (google) checks.push(pubSubCheck(env));
  if (microsoft) checks.push(secretExpiryCheck(env.MICROSOFT_CLIENT_SECRET_EXPIRES_AT));
  return checks;
}

function pubSubCheck(env: Env): Check {
  const topic = env.GOOGLE_PUBSUB_TOPIC?.trim();
  const account = env.GOOGLE_PUSH_SERVICE_ACCOUNT?.trim();
  if (!topic && !account) {
    return warning(
      'gmail push',
      'GOOGLE_PUBSUB_TOPIC is not set: Gmail is polled every SYNC_POLL_QUIET_SECONDS, not pushed',
      'create the topic and push subscription (docs/integration/google.md)',
    );
  }
  if (!topic) {
    return problem(
      'gmail push',
      'GOOGLE_PUSH_SERVICE_ACCOUNT is set without GOOGLE_PUBSUB_TOPIC',
      'set both',
    );
  }
  if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(topic)) {
    return problem(
      'gmail push',
      `GOOGLE_PUBSUB_TOPIC "${topic}" is not projects/<project>/topics/<topic>`,
      'fix it',
    );
  }
  if (!account || !/^[^@\s]+@[^@\s]+\.gserviceaccount\.com$/.test(account)) {
    return problem(
      'gmail push',
      `GOOGLE_PUSH_SERVICE_ACCOUNT must be the push subscription's service account (…@….iam.gserviceaccount.com), got "${account ?? ''}"`,
      'set it to the account the subscription authenticates as',
    );
  }
  return ok('gmail push', `topic ${topic}; pushes must be signed by ${account}`);
}

/** Entra ID client secrets live at most two years: warn a month ahead, fail once past. */
export function secretExpiryCheck(raw: string | undefined, now = new Date()): Check {
  const name = 'microsoft client secret';
  if (!raw?.trim()) {
    return warning(
      name,
      'MICROSOFT_CLIENT_SECRET_EXPIRES_AT is not set, so nobody is warned before the secret expires',
      'set it to the secret’s expiry date from the app registration (YYYY-MM-DD)',
    );
  }
  const expires = new Date(raw.trim());
  if (Number.isNaN(expires.getTime())) {
    return problem(
      name,
      `MICROSOFT_CLIENT_SECRET_EXPIRES_AT "${raw}" is not a date`,
      'write it as YYYY-MM-DD',
    );
  }
  const days = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
  const renew =
    'add a new client secret in the app registration, set MICROSOFT_CLIENT_SECRET and its expiry, restart';
  if (days < 0)
    return problem(name, `expired on ${raw.trim()}: every Microsoft sign-in and refresh fails`, renew);
  if (days <= SECRET_WARNING_DAYS) return warning(name, `expires in ${days} day(s), on ${raw.trim()}`, renew);
  return ok(name, `expires on ${raw.trim()} (in ${days} days)`);
}

async function discoveryChecks(config: Config): Promise<Check[]> {
  const targets: [string, string][] = [];
  if (config.google)
    targets.push(['google discovery', `${config.google.issuer}/.well-known/openid-configuration`]);
  if (config.microsoft) {
    targets.push([
      'microsoft discovery',
      `${config.microsoft.loginUrl}/${config.microsoft.tenant}/v2.0/.well-known/openid-configuration`,
    ]);
  }
  return Promise.all(
    targets.map(async ([name, url]): Promise<Check> => {
      const answer = await fetchQuietly(url);
      if (answer.ok) return ok(name, `${url} answers`);
      return problem(name, `${url}: ${answer.why}`, 'check the issuer/login URL settings and outbound HTTPS');
    }),
  );
}

/** Calls our webhooks at PUBLIC_URL from here, as a provider would from outside. */
async function probeChecks(publicUrl: string): Promise<Check[]> {
  const health = await fetchQuietly(`${publicUrl}/healthz`);
  const checks = [
    health.ok
      ? ok('probe /healthz', `${publicUrl}/healthz answers`)
      : problem(
          'probe /healthz',
          `${publicUrl}/healthz: ${health.why}`,
          'check DNS, TLS and the proxy in front',
        ),
  ];
  // Graph's subscription handshake: the endpoint must echo validationToken as text within 10 seconds.
  const token = `talentsync-doctor-${Date.now()}`;
  for (const path of ['/webhooks/microsoft', '/webhooks/microsoft/lifecycle']) {
    const url = `${publicUrl}${path}?validationToken=${encodeURIComponent(token)}`;
    const answer = await fetchQuietly(url, { method: 'POST' });
    checks.push(
      answer.ok && answer.body === token
        ? ok(`probe ${path}`, 'answers the Graph validation handshake')
        : problem(
            `probe ${path}`,
            `${url}: ${answer.why ?? 'did not echo the token'}`,
            'route it to `talentsync api`',
          ),
    );
  }
  return checks;
}

async function databaseChecks(env: Env, config: Config | undefined): Promise<Check[]> {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    return [
      unchecked(
        'database',
        'DATABASE_URL is not set (the embedded database is for the demo)',
        'set DATABASE_URL',
      ),
    ];
  }
  const connection = connect(url, createLogger('silent'), {
    max: 1,
    name: 'talentsync-doctor',
    timeouts: config?.database ?? {
      statementTimeoutMs: 5_000,
      connectTimeoutMs: 3_000,
      idleInTransactionTimeoutMs: 10_000,
    },
  });
  try {
    const { db } = connection;
    let applied: string[];
    try {
      applied = await appliedMigrations(db);
    } catch (error) {
      return [
        unchecked('database', `cannot reach it: ${reasonOf(error)}`, 'check DATABASE_URL and the network'),
      ];
    }
    const checks: Check[] = [ok('database', 'reachable')];
    const pending = Object.keys(migrations).filter((name) => !applied.includes(name));
    const jobs = await jobSchemaExists(db);
    checks.push(
      pending.length === 0 && jobs
        ? ok('migrations', `all ${applied.length} applied`)
        : problem(
            'migrations',
            pending.length > 0
              ? `${pending.length} not applied (first: ${pending[0]})`
              : 'the job queue schema is missing',
            'run `talentsync migrate`',
          ),
    );
    if (pending.length > 0) return checks;
    const skew = await clockSkewMs(db);
    checks.push(
      Math.abs(skew) <= CLOCK_SKEW_MS
        ? ok('clock', `within ${Math.ceil(Math.abs(skew))} ms of the database`)
        : problem(
            'clock',
            `${Math.round(skew / 1000)} s apart from the database`,
            'run NTP (chrony, systemd-timesyncd) on both',
          ),
    );
    const signs = await workerSigns(db);
    const quietMs = signs.lastCronAt ? Date.now() - signs.lastCronAt.getTime() : undefined;
    if (signs.livePools === 0) {
      checks.push(problem('worker', 'no worker process is running', 'start `talentsync worker` (deploy/)'));
    } else if (quietMs !== undefined && quietMs > WORKER_QUIET_MS) {
      checks.push(
        problem(
          'worker',
          `${signs.livePools} worker pool(s) alive, but no scheduled job ran for ${Math.round(quietMs / 60_000)} min`,
          'read the worker’s log',
        ),
      );
    } else checks.push(ok('worker', `${signs.livePools} worker pool(s) alive`));
    const expiring = await pushChannelsNearExpiry(db, PUSH_EXPIRY_MS);
    checks.push(
      expiring === 0
        ? ok('push channels', 'none about to expire unrenewed')
        : problem(
            'push channels',
            `${expiring} expire within the hour and were not renewed`,
            'check that the worker runs and its log for renewal errors',
          ),
    );
    const lost = await connectionsAwaitingReauthorization(db);
    const total = lost.reduce((sum, row) => sum + row.count, 0);
    checks.push(
      total === 0
        ? ok('connections', 'none awaits reauthorization')
        : warning(
            'connections',
            `${total} in reauthorization_required (${lost.map((row) => `${row.primaryDomain}: ${row.count}`).join(', ')})`,
            'those users connect their mailbox again (admins see who under Settings)',
          ),
    );
    return checks;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function fetchQuietly(
  url: string,
  init: RequestInit = {},
): Promise<{ ok: true; body: string; why?: undefined } | { ok: false; why: string; body?: undefined }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
    const body = await response.text();
    if (!response.ok) return { ok: false, why: `answered HTTP ${response.status}` };
    return { ok: true, body };
  } catch (error) {
    return { ok: false, why: reasonOf(error) };
  }
}

function reasonOf(error: unknown): string {
  // fetch wraps the socket's error (`cause`), itself an AggregateError when several addresses were tried.
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
    .cause;
  const code = (error as { code?: string }).code ?? cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === '28P01') return 'password authentication failed';
  if (code === '3D000') return 'database does not exist';
  return code ?? cause?.message ?? (error as Error).message ?? String(error);
}

const ok = (name: string, message: string): Check => ({ name, status: 'ok', message });
const warning = (name: string, message: string, action: string): Check => ({
  name,
  status: 'warning',
  message,
  action,
});
const problem = (name: string, message: string, action: string): Check => ({
  name,
  status: 'problem',
  message,
  action,
});
const unchecked = (name: string, message: string, action: string): Check => ({
  name,
  status: 'unchecked',
  message,
  action,
});
