/** The checks that go over the network: the providers' discovery documents, and `--probe`'s calls to PUBLIC_URL. */
import type { Config } from '../../config.ts';
import { type Check, ok, problem, reasonOf } from './check.ts';

export async function discoveryChecks(config: Config): Promise<Check[]> {
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
export async function probeChecks(publicUrl: string): Promise<Check[]> {
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
