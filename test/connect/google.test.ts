import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../src/log.ts';
import { accessToken, sealedAt } from '../../src/services/grants.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const logs: string[] = [];
const t = await providerTest({
  logger: createLogger(
    'debug',
    new Writable({ write: (chunk, _e, done) => done(void logs.push(String(chunk))) }),
  ),
});
const { control } = t.sandbox;

/** An organization on Google Workspace with a recruiter whose sandbox mailbox exists. */
async function googleOrganization(domain: string) {
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
  assert.equal(set.statusCode, 200, set.body);
  await control.post('/google/users', { email: org.recruiter.email, name: 'Recruiter' });
  return org;
}

async function connect(token: string, email: string, decision: 'allow' | 'deny' = 'allow') {
  const started = await t.call(token, 'POST', '/api/connection');
  assert.equal(started.statusCode, 201, started.body);
  return consent(t.app, started.json().url, { token, email, decision });
}

async function storedTokens(connectionId: string) {
  return t.database.db
    .selectFrom('mailbox_connections')
    .select(['refresh_token', 'access_token', 'status', 'authorized_at'])
    .where('id', '=', connectionId)
    .executeTakeFirstOrThrow();
}

describe('connecting a Google Workspace mailbox', () => {
  it('R2: a new organization starts at none, and only admins choose the provider', async () => {
    const org = await t.organization();
    assert.equal((await t.call(org.recruiter.token, 'GET', '/api/organization')).json().provider, 'none');
    const denied = await t.call(org.recruiter.token, 'PATCH', '/api/organization', { provider: 'google' });
    assert.equal(denied.statusCode, 403);
    assert.equal((await t.call(org.admin.token, 'GET', '/api/organization')).json().provider, 'none');
  });

  it('R3: connecting is refused while the organization is on none, saying an admin must choose', async () => {
    const org = await t.organization();
    const response = await t.call(org.recruiter.token, 'POST', '/api/connection');
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().error.code, 'provider_not_selected');
    assert.match(response.json().error.message, /an admin must choose Google Workspace or Microsoft 365/);
  });

  it('R6: one consent connects the mailbox with offline mail and calendar access; tokens are stored sealed', async () => {
    const org = await googleOrganization('r6.example');
    const outcome = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(outcome.status, 200, outcome.html);
    assert.match(outcome.html, /Mailbox connected/);
    assert.match(outcome.html, new RegExp(`${org.recruiter.email} is connected`));

    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection.status, 'connected');
    assert.equal(connection.provider, 'google');
    assert.equal(connection.address, org.recruiter.email);
    assert.equal(connection.warning, null);
    assert.ok(Date.now() - Date.parse(connection.authorizedAt) < 60_000);

    const grant = await control.get<{ grants: { scopes: string[] }[] }>(
      `/google/users/${org.recruiter.email}`,
    );
    assert.ok(grant.grants[0]?.scopes.includes('https://www.googleapis.com/auth/gmail.readonly'));
    assert.ok(grant.grants[0]?.scopes.includes('https://www.googleapis.com/auth/calendar.events'));

    const stored = await storedTokens(connection.id);
    assert.match(stored.refresh_token ?? '', /^v1\.test\./);
    assert.match(stored.access_token ?? '', /^v1\.test\./);
    const clear = t.context.vault.open(stored.access_token ?? '', sealedAt.accessToken(connection.id));
    const everything = await sql<{
      row: string;
    }>`select row_to_json(c)::text as row from mailbox_connections c`.execute(t.database.db);
    assert.equal(
      everything.rows.some((row) => row.row.includes(clear)),
      false,
      'no clear token in the table',
    );
  });

  it('R8: a personal gmail.com mailbox connects with a warning', async () => {
    const org = await googleOrganization('r8.example');
    const personal = `recruiter.r8.${Date.now()}@gmail.com`;
    await control.post('/google/users', { email: personal, name: 'Personal' });
    const outcome = await connect(org.recruiter.token, personal);
    assert.equal(outcome.status, 200, outcome.html);
    assert.match(outcome.html, /Warning: .*personal mailbox \(gmail\.com\)/);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.match(connection.warning, /personal mailbox.*company mailbox is recommended/);
  });

  it('ends a denied consent on a clear page, connecting nothing', async () => {
    const org = await googleOrganization('denied.example');
    const outcome = await connect(org.recruiter.token, org.recruiter.email, 'deny');
    assert.equal(outcome.status, 400);
    assert.match(outcome.html, /You declined access, so your mailbox is not connected/);
    assert.equal((await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection, null);
  });

  it('refuses a replayed state, an expired flow, another browser, and a reused start link', async () => {
    const org = await googleOrganization('replay.example');
    const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
    const first = await consent(t.app, started.url, {
      token: org.recruiter.token,
      email: org.recruiter.email,
      decision: 'allow',
    });
    assert.equal(first.status, 200);
    const replay = await t.app.inject({
      method: 'GET',
      url: `${first.callbackUrl?.pathname}${first.callbackUrl?.search}`,
      headers: first.cookie ? { cookie: first.cookie } : {},
    });
    assert.equal(replay.statusCode, 400);
    assert.match(replay.body, /expired or was already completed/);
    const reused = await t.app.inject({ method: 'GET', url: new URL(started.url).pathname });
    assert.match(reused.body, /expired or was already used/);

    await t.call(org.recruiter.token, 'DELETE', '/api/connection');
    const late = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
    const expired = await consent(t.app, late.url, {
      token: org.recruiter.token,
      email: org.recruiter.email,
      decision: 'allow',
      beforeCallback: async (url) => {
        await sql`update oauth_flows set expires_at = now() - interval '1 second'`.execute(t.database.db);
        return url;
      },
    });
    assert.equal(expired.status, 400);
    assert.match(expired.html, /expired or was already completed/);

    const other = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
    const { signIn, submitConsent, callback } = await import('../support/browser.ts');
    const start = await signIn(t.app, other.url, org.recruiter.token);
    const page = await fetch(String(start.location));
    const back = await submitConsent(await page.text(), page.url, org.recruiter.email, 'allow');
    assert.ok(back);
    const stranger = await callback(t.app, back, 'talentsync_oauth=someone-elses-cookie');
    assert.equal(stranger.status, 400);
    assert.match(stranger.html, /started in another browser/);
  });

  it('refuses a code whose PKCE verifier does not match', async () => {
    const org = await googleOrganization('pkce.example');
    const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
    const outcome = await consent(t.app, started.url, {
      token: org.recruiter.token,
      email: org.recruiter.email,
      decision: 'allow',
      beforeCallback: async (url) => {
        const flow = await t.database.db
          .selectFrom('oauth_flows')
          .select('id')
          .where('user_id', '=', org.recruiter.id)
          .where('finished_at', 'is', null)
          .where('started_at', 'is not', null)
          .executeTakeFirstOrThrow();
        const forged = t.context.vault.seal('a'.repeat(64), sealedAt.codeVerifier(flow.id));
        await t.database.db
          .updateTable('oauth_flows')
          .set({ code_verifier: forged })
          .where('id', '=', flow.id)
          .execute();
        return url;
      },
    });
    assert.equal(outcome.status, 400);
    assert.match(outcome.html, /did not confirm the sign-in/);
    assert.equal((await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection, null);
  });

  it('refuses a mailbox already connected by another user', async () => {
    const org = await googleOrganization('taken.example');
    const colleague = await t.user(org.orgId);
    assert.equal((await connect(org.recruiter.token, org.recruiter.email)).status, 200);
    const second = await connect(colleague.token, org.recruiter.email);
    assert.equal(second.status, 400);
    assert.match(second.html, /already connected by another user/);
  });

  it('R7: refreshes ahead of expiry and keeps the refresh token Google does not resend', async () => {
    const org = await googleOrganization('refresh.example');
    await connect(org.recruiter.token, org.recruiter.email);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    const before = await storedTokens(connection.id);
    const first = await accessToken(t.context, org.orgId, connection.id);
    assert.equal(
      first,
      t.context.vault.open(before.access_token ?? '', sealedAt.accessToken(connection.id)),
      'a fresh token is reused',
    );
    await t.database.db
      .updateTable('mailbox_connections')
      .set({ access_token_expires_at: new Date(Date.now() + 60_000) })
      .where('id', '=', connection.id)
      .execute();
    const refreshed = await accessToken(t.context, org.orgId, connection.id);
    assert.notEqual(refreshed, first);
    const after = await storedTokens(connection.id);
    const openRefresh = (value: string | null) =>
      t.context.vault.open(value ?? '', sealedAt.refreshToken(connection.id));
    assert.equal(openRefresh(after.refresh_token), openRefresh(before.refresh_token));
  });

  it('R7: a grant revoked at Google moves the connection to reauthorization_required; reconnecting resumes it', async () => {
    const org = await googleOrganization('revoked.example');
    await connect(org.recruiter.token, org.recruiter.email);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    await control.post(`/google/users/${org.recruiter.email}/revoke`);
    await assert.rejects(
      accessToken(t.context, org.orgId, connection.id, { force: true }),
      (error: Error & { kind?: string }) => error.kind === 'auth_revoked',
    );
    const lost = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection;
    assert.equal(lost.status, 'reauthorization_required');
    assert.match(lost.lastError, /no longer accepts talentsync's access.*Connect your mailbox again/);
    assert.equal((await storedTokens(connection.id)).refresh_token, null, 'dead tokens are erased');

    const again = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(again.status, 200, again.html);
    assert.match(again.html, /connected again; sync resumes where it stopped/);
    const resumed = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection;
    assert.equal(resumed.id, connection.id, 'the same connection, with its cursor');
    assert.equal(resumed.status, 'connected');
    assert.equal(
      resumed.authorizedAt,
      connection.authorizedAt,
      'R9 keeps the original moment of authorization',
    );
  });

  it('never shows a token in an API response or a log line', async () => {
    const org = await googleOrganization('leak.example');
    await connect(org.recruiter.token, org.recruiter.email);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    const stored = await storedTokens(connection.id);
    const secrets = [
      t.context.vault.open(stored.access_token ?? '', sealedAt.accessToken(connection.id)),
      t.context.vault.open(stored.refresh_token ?? '', sealedAt.refreshToken(connection.id)),
    ];
    const responses = [
      (await t.call(org.recruiter.token, 'GET', '/api/connection')).body,
      (await t.call(org.admin.token, 'GET', '/api/connections')).body,
      (await t.call(org.admin.token, 'GET', '/api/organization/audit')).body,
    ];
    for (const secret of secrets) {
      assert.equal(
        responses.some((body) => body.includes(secret)),
        false,
      );
      assert.equal(logs.join('').includes(secret), false);
    }
    assert.equal(logs.join('').includes('code='), false, 'authorization codes are not logged');
  });

  it('R11: refuses extra internal domains that would make strangers colleagues', async () => {
    const org = await t.organization();
    const bad = await t.call(org.admin.token, 'PATCH', '/api/organization', {
      internalDomains: ['gmail.com', 'co.uk'],
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad
        .json()
        .error.details.map((detail: { message: string }) => detail.message)
        .sort(),
      [
        '"co.uk" is a public suffix, shared by unrelated owners',
        '"gmail.com" is a consumer mail domain, shared by unrelated people',
      ],
    );
    const good = await t.call(org.admin.token, 'PATCH', '/api/organization', {
      internalDomains: ['@Sister-Company.example', 'sister-company.example'],
      backfillDays: 30,
    });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(good.json().organization.internalDomains, ['sister-company.example']);
    assert.equal(good.json().organization.backfillDays, 30);
    assert.equal(
      (await t.call(org.admin.token, 'PATCH', '/api/organization', { backfillDays: 400 })).statusCode,
      400,
    );
  });
});
