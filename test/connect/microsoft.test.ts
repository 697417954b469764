import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessToken, sealedAt } from '../../src/services/grants.ts';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;

async function microsoftOrganization(domain: string) {
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'microsoft' });
  assert.equal(set.statusCode, 200, set.body);
  const tenant = await control.post<{ tenantId: string }>('/microsoft/tenants', { domain });
  for (const person of [org.admin, org.recruiter]) {
    await control.post('/microsoft/users', { email: person.email, name: 'Person' });
  }
  return { ...org, tenantId: tenant.tenantId };
}

async function connect(token: string, email: string, decision: 'allow' | 'deny' = 'allow') {
  const started = await t.call(token, 'POST', '/api/connection');
  assert.equal(started.statusCode, 201, started.body);
  return consent(t.app, started.json().url, { token, email, decision });
}

describe('connecting a Microsoft 365 mailbox', () => {
  it('R6: one consent through the common endpoint connects; the id_token issuer is checked with its tenant', async () => {
    const org = await microsoftOrganization('contoso-r6.example');
    const outcome = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(outcome.status, 200, outcome.html);
    assert.match(outcome.html, /is connected \(Microsoft 365\)/);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection.provider, 'microsoft');
    assert.equal(connection.address, org.recruiter.email);
    const row = await t.database.db
      .selectFrom('mailbox_connections')
      .select(['tenant_id', 'scopes'])
      .where('id', '=', connection.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.tenant_id, org.tenantId);
  });

  it('R7: every refresh rotates the refresh token, and the rotated one is what is stored (strict mode too)', async (context) => {
    // Entra keeps used refresh tokens valid; the sandbox's strict fault option refuses them, so only a
    // product that stores each rotated token keeps working here.
    await control.post('/microsoft/settings', { usedRefreshTokens: 'refuse' });
    context.after(() => control.post('/microsoft/settings', { usedRefreshTokens: 'allow' }));
    const org = await microsoftOrganization('contoso-rotate.example');
    await connect(org.recruiter.token, org.recruiter.email);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    const refreshOf = async () => {
      const row = await t.database.db
        .selectFrom('mailbox_connections')
        .select('refresh_token')
        .where('id', '=', connection.id)
        .executeTakeFirstOrThrow();
      return t.context.vault.open(row.refresh_token ?? '', sealedAt.refreshToken(connection.id));
    };
    const first = await refreshOf();
    await accessToken(t.context, org.orgId, connection.id, { force: true });
    const second = await refreshOf();
    assert.notEqual(second, first, 'rotated');
    await accessToken(t.context, org.orgId, connection.id, { force: true });
    assert.notEqual(await refreshOf(), second, 'rotated again, and the stored one still worked');
    assert.equal(
      (await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection.status,
      'connected',
    );
  });

  it('tells a user who needs admin approval to ask their admin; admin consent is recorded and unblocks them', async () => {
    const org = await microsoftOrganization('contoso-admin.example');
    await control.post(`/microsoft/tenants/${org.tenantId}/require-admin-consent`, { required: true });
    const blocked = await connect(org.recruiter.token, org.recruiter.email, 'deny');
    assert.equal(blocked.status, 400, blocked.html);
    assert.match(
      blocked.html,
      /requires an administrator to approve talentsync first\. Ask your Recruiter Admin/,
    );

    const denied = await t.call(org.recruiter.token, 'POST', '/api/organization/microsoft-admin-consent');
    assert.equal(denied.statusCode, 403);
    const started = await t.call(org.admin.token, 'POST', '/api/organization/microsoft-admin-consent');
    assert.equal(started.statusCode, 201, started.body);
    const granted = await consent(t.app, started.json().url, {
      token: org.admin.token,
      email: org.admin.email,
      decision: 'allow',
    });
    assert.equal(granted.status, 200, granted.html);
    assert.match(granted.html, /Admin consent granted/);
    const settings = (await t.call(org.recruiter.token, 'GET', '/api/organization')).json();
    assert.equal(settings.microsoft.tenantId, org.tenantId);
    assert.ok(settings.microsoft.adminConsentAt);

    const now = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(now.status, 200, now.html);
  });

  it('R8: a personal outlook.com mailbox connects with a warning', async () => {
    const org = await microsoftOrganization('contoso-r8.example');
    const personal = `recruiter.${Date.now()}@outlook.com`;
    await control.post('/microsoft/users', { email: personal, name: 'Personal' });
    const outcome = await connect(org.recruiter.token, personal);
    assert.equal(outcome.status, 200, outcome.html.replace(/[\s\S]*<body>/, ''));
    assert.match(outcome.html, /personal mailbox \(outlook\.com\)/);
  });

  it('R7: a revoked grant moves the connection to reauthorization_required, and reconnecting resumes it', async () => {
    const org = await microsoftOrganization('contoso-revoked.example');
    await connect(org.recruiter.token, org.recruiter.email);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    await control.post(`/microsoft/users/${org.recruiter.email}/revoke`);
    await assert.rejects(accessToken(t.context, org.orgId, connection.id, { force: true }));
    const lost = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection;
    assert.equal(lost.status, 'reauthorization_required');
    assert.match(lost.lastError, /Microsoft no longer accepts/);
    const again = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(again.status, 200, again.html);
    assert.equal(
      (await t.call(org.recruiter.token, 'GET', '/api/connection')).json().connection.id,
      connection.id,
    );
  });

  it('ends a cancelled consent on a clear page', async () => {
    const org = await microsoftOrganization('contoso-cancel.example');
    const outcome = await connect(org.recruiter.token, org.recruiter.email, 'deny');
    assert.equal(outcome.status, 400);
    assert.match(outcome.html, /You declined access/);
  });
});
