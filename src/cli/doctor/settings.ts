/**
 * The settings checks: read one by one from the environment (not through `loadConfig`, which stops at the
 * first bad one), so every problem is named in one run.
 */
import { parseEncryptionKeys } from '../../config.ts';
import { type Check, type Env, ok, problem, warning } from './check.ts';

const SECRET_WARNING_DAYS = 30;

export function settingsChecks(env: Env): Check[] {
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
