/**
 * Sessions: single sign-on through the sandbox's Google issuer (standing in for the company's identity
 * provider), the session cookie as a principal, its expiry and revocation, and the CSRF checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Config } from '../../src/config.ts';
import { type TestApp, testApp } from '../support/app.ts';
import { submitConsent } from '../support/browser.ts';
import { testSandbox } from '../support/sandbox.ts';

const sandbox = await testSandbox();
const SSO = { clientId: 'talentsync-sso-test', clientSecret: 'sso-test-secret' };
await sandbox.control.post('/google/clients', {
  ...SSO,
  redirectUris: ['http://talentsync.test/auth/callback', 'https://talentsync.test/auth/callback'],
});
const sso = { ...SSO, issuer: `${sandbox.url}/google` };

async function ssoApp(config: Partial<Config> = {}) {
  const testing = await testApp({ config: { sso, ...config } });
  const { orgId, admin, recruiter } = await testing.organization();
  for (const person of [admin, recruiter]) {
    await sandbox.control.post('/google/users', { email: person.email, name: 'Test Person' });
  }
  return { ...testing, orgId, admin, recruiter };
}

function cookiesOf(header: string | string[] | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of [header ?? []].flat()) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return jar;
}

/** True when an answer sets a (non-empty) session cookie. */
function sessionCookieSet(header: string | string[] | undefined): boolean {
  return [...cookiesOf(header)].some(([name, value]) => name.endsWith('talentsync_session') && value !== '');
}

/** A browser signing in: to the issuer, through its consent page as `email`, and back to the callback. */
async function signIn(
  { app }: TestApp,
  email: string,
  tamper: (callback: URL) => URL = (url) => url,
): Promise<{ status: number; location: string; setCookie: string[]; cookie: string | undefined }> {
  const start = await app.inject({ method: 'GET', url: '/auth/sign-in' });
  assert.equal(start.statusCode, 302, start.body);
  const attempt = [...cookiesOf(start.headers['set-cookie'])].map(([k, v]) => `${k}=${v}`).join('; ');
  const consent = await fetch(String(start.headers.location));
  const callback = await submitConsent(await consent.text(), consent.url, email, 'allow');
  assert.ok(callback, 'the issuer sent the browser back');
  const back = tamper(callback);
  const answer = await app.inject({
    method: 'GET',
    url: `${back.pathname}${back.search}`,
    headers: { cookie: attempt },
  });
  const setCookie = [answer.headers['set-cookie'] ?? []].flat();
  const session = [...cookiesOf(setCookie)].find(([name, value]) => /session/.test(name) && value);
  return {
    status: answer.statusCode,
    location: String(answer.headers.location),
    setCookie,
    cookie: session ? `${session[0]}=${session[1]}` : undefined,
  };
}

test('Sessions: signing in through the identity provider gives a session that calls the API as its user', async () => {
  const testing = await ssoApp();
  const signedIn = await signIn(testing, testing.recruiter.email);
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.location, '/');
  assert.ok(signedIn.cookie);
  const me = await testing.app.inject({
    method: 'GET',
    url: '/api/me',
    headers: { cookie: signedIn.cookie },
  });
  assert.equal(me.statusCode, 200);
  assert.equal(me.json().user.email, testing.recruiter.email);
  // The same `allow` rules as a token: a recruiter's session is no admin.
  const admins = await testing.app.inject({
    method: 'GET',
    url: '/api/connections',
    headers: { cookie: signedIn.cookie },
  });
  assert.equal(admins.statusCode, 403);
});

test('Sessions: the cookie is HttpOnly and SameSite=Lax; over https also Secure with the __Host- prefix', async () => {
  const http = await ssoApp();
  const overHttp = await signIn(http, http.admin.email);
  const line = overHttp.setCookie.find((c) => c.startsWith('talentsync_session='));
  assert.ok(line, overHttp.setCookie.join('\n'));
  assert.match(line, /; HttpOnly/);
  assert.match(line, /; SameSite=Lax/);
  assert.match(line, /; Path=\//);
  assert.doesNotMatch(line, /; Secure/);

  const https = await ssoApp({ publicUrl: 'https://talentsync.test' });
  const overHttps = await signIn(https, https.admin.email);
  const secure = overHttps.setCookie.find((c) => c.startsWith('__Host-talentsync_session='));
  assert.ok(secure, overHttps.setCookie.join('\n'));
  assert.match(secure, /; Secure/);
  assert.match(secure, /; HttpOnly/);
  assert.match(secure, /; SameSite=Lax/);
  assert.match(secure, /; Path=\//);
  assert.doesNotMatch(secure, /Domain=/);
});

test('Sessions: an email with no talentsync account is refused, and nobody is created', async () => {
  const testing = await ssoApp();
  const stranger = `stranger-${Date.now()}@outside.example`;
  await sandbox.control.post('/google/users', { email: stranger, name: 'Stranger' });
  const refused = await signIn(testing, stranger);
  assert.equal(refused.status, 303);
  assert.equal(refused.location, '/sign-in?problem=unknown_user');
  assert.equal(refused.cookie, undefined);
  const users = await sql<{ n: string }>`select count(*) as n from users where email = ${stranger}`.execute(
    testing.context.db,
  );
  assert.equal(users.rows[0]?.n, '0');
});

test('Sessions: a callback with a wrong state, or from a browser that did not start it, is refused', async () => {
  const testing = await ssoApp();
  const wrongState = await signIn(testing, testing.recruiter.email, (url) => {
    url.searchParams.set('state', 'not-the-state');
    return url;
  });
  assert.equal(wrongState.location, '/sign-in?problem=refused_by_provider');
  assert.equal(wrongState.cookie, undefined);

  // Another browser's sign-in: a valid callback, but this browser holds no attempt.
  const start = await testing.app.inject({ method: 'GET', url: '/auth/sign-in' });
  const consent = await fetch(String(start.headers.location));
  const callback = await submitConsent(await consent.text(), consent.url, testing.recruiter.email, 'allow');
  assert.ok(callback);
  const foreign = await testing.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
  assert.equal(foreign.headers.location, '/sign-in?problem=attempt_missing');
  assert.equal(sessionCookieSet(foreign.headers['set-cookie']), false);
});

test("Sessions: an id_token whose nonce is not the attempt's is refused", async () => {
  const testing = await ssoApp();
  // The browser's own attempt (its state and PKCE challenge), but the issuer is asked for another nonce:
  // everything checks out except the id_token's nonce.
  const start = await testing.app.inject({ method: 'GET', url: '/auth/sign-in' });
  const attempt = [...cookiesOf(start.headers['set-cookie'])].map(([k, v]) => `${k}=${v}`).join('; ');
  const authorize = new URL(String(start.headers.location));
  assert.ok(authorize.searchParams.get('nonce'));
  authorize.searchParams.set('nonce', 'a-nonce-of-someone-else');
  const consent = await fetch(authorize);
  const callback = await submitConsent(await consent.text(), consent.url, testing.recruiter.email, 'allow');
  assert.ok(callback);
  const answer = await testing.app.inject({
    method: 'GET',
    url: `${callback.pathname}${callback.search}`,
    headers: { cookie: attempt },
  });
  assert.equal(answer.headers.location, '/sign-in?problem=refused_by_provider');
  assert.equal(sessionCookieSet(answer.headers['set-cookie']), false);
});

test("Sessions: signing out revokes the session; an admin can end all of a user's sessions", async () => {
  const testing = await ssoApp();
  const { cookie } = await signIn(testing, testing.recruiter.email);
  assert.ok(cookie);
  const headers = { cookie, origin: 'http://talentsync.test' };
  const session = await testing.app.inject({ method: 'GET', url: '/api/session', headers });
  const csrf = session.json().csrfToken;
  assert.equal(typeof csrf, 'string');
  const out = await testing.app.inject({
    method: 'DELETE',
    url: '/api/session',
    headers: { ...headers, 'x-csrf-token': csrf },
  });
  assert.equal(out.statusCode, 204);
  assert.match(String(out.headers['set-cookie']), /talentsync_session=;/);
  assert.equal((await testing.app.inject({ method: 'GET', url: '/api/me', headers })).statusCode, 401);

  const again = await signIn(testing, testing.recruiter.email);
  const other = await signIn(testing, testing.recruiter.email);
  const ended = await testing.call(
    testing.admin.token,
    'DELETE',
    `/api/users/${testing.recruiter.id}/sessions`,
  );
  assert.equal(ended.statusCode, 200);
  assert.equal(ended.json().revoked, 2);
  for (const c of [again.cookie, other.cookie]) {
    assert.equal(
      (await testing.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: c } })).statusCode,
      401,
    );
  }
});

test('Sessions: a session ends at its absolute expiry, and after its idle limit', async () => {
  const short = await ssoApp({ sessions: { absoluteMs: 4000, idleMs: 3_600_000 } });
  const { cookie } = await signIn(short, short.recruiter.email);
  assert.equal(
    (await short.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode,
    200,
  );
  await new Promise((resolve) => setTimeout(resolve, 4200));
  const expired = await short.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  assert.equal(expired.statusCode, 401);
  assert.match(expired.json().error.message, /session has ended/);

  const idle = await ssoApp();
  const signedIn = await signIn(idle, idle.recruiter.email);
  assert.equal(
    (await idle.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: signedIn.cookie } }))
      .statusCode,
    200,
  );
  await sql`update sessions set last_seen_at = now() - interval '61 minutes'`.execute(idle.context.db);
  assert.equal(
    (await idle.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: signedIn.cookie } }))
      .statusCode,
    401,
  );
});

test('Sessions: a state-changing request by cookie needs the CSRF token and our own origin; bearer tokens do not', async () => {
  const testing = await ssoApp();
  const { cookie } = await signIn(testing, testing.recruiter.email);
  assert.ok(cookie);
  const ours = 'http://talentsync.test';
  const csrf = (await testing.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json()
    .csrfToken;
  const patch = (headers: Record<string, string>) =>
    testing.app.inject({
      method: 'PATCH',
      url: '/api/me',
      headers: { cookie, ...headers },
      payload: { name: 'Renamed' },
    });

  const missing = await patch({ origin: ours });
  assert.equal(missing.statusCode, 403);
  assert.match(missing.json().error.message, /CSRF/);
  assert.equal((await patch({ origin: ours, 'x-csrf-token': `${csrf}x` })).statusCode, 403);
  assert.equal((await patch({ origin: ours, 'x-csrf-token': 'A'.repeat(csrf.length) })).statusCode, 403);
  const crossSite = await patch({ origin: 'https://evil.example', 'x-csrf-token': csrf });
  assert.equal(crossSite.statusCode, 403);
  assert.match(crossSite.json().error.message, /other sites/);
  assert.equal((await patch({ 'sec-fetch-site': 'cross-site', 'x-csrf-token': csrf })).statusCode, 403);
  assert.equal((await patch({ 'x-csrf-token': csrf })).statusCode, 403, 'neither Origin nor Sec-Fetch-Site');
  assert.equal((await patch({ origin: ours, 'x-csrf-token': csrf })).statusCode, 200);
  assert.equal((await patch({ 'sec-fetch-site': 'same-origin', 'x-csrf-token': csrf })).statusCode, 200);
  // Reading needs neither.
  assert.equal(
    (await testing.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode,
    200,
  );

  const bearer = await testing.app.inject({
    method: 'PATCH',
    url: '/api/me',
    headers: { authorization: `Bearer ${testing.recruiter.token}`, origin: 'https://evil.example' },
    payload: { name: 'By token' },
  });
  assert.equal(bearer.statusCode, 200);
});
