/**
 * Issue 8: Microsoft admin consent is recorded only once the identity platform confirms it (a
 * client-credentials token for the tenant, naming it), never on the word of the callback's query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callback, consent, signIn } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;

async function microsoftOrganization(domain: string) {
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'microsoft' });
  assert.equal(set.statusCode, 200, set.body);
  const tenant = await control.post<{ tenantId: string }>('/microsoft/tenants', { domain });
  await control.post('/microsoft/users', { email: org.admin.email, name: 'Admin' });
  return { ...org, tenantId: tenant.tenantId };
}

/** Signs the admin in for an admin-consent flow and answers its state and the browser's cookie. */
async function adminConsentFlow(token: string) {
  const started = await t.call(token, 'POST', '/api/organization/microsoft-admin-consent');
  assert.equal(started.statusCode, 201, started.body);
  const signedIn = await signIn(t.app, started.json().url, token);
  assert.equal(signedIn.status, 303, signedIn.html);
  return {
    state: new URL(String(signedIn.location)).searchParams.get('state') ?? '',
    cookie: signedIn.cookie,
  };
}

describe('Microsoft admin consent', () => {
  it('hardening: a forged admin-consent callback query records nothing', async () => {
    const org = await microsoftOrganization('contoso-forged.example');
    const elsewhere = await control.post<{ tenantId: string }>('/microsoft/tenants', {
      domain: 'fabrikam-forged.example',
    });
    const forgeries = [
      org.tenantId, // its own tenant, where nobody consented
      elsewhere.tenantId, // another organization's tenant
      elsewhere.tenantId.toUpperCase(),
      'common',
      'organizations',
      '9188040d-6c67-4c5b-b112-36a304b66dad', // the consumer accounts' tenant
      `${org.tenantId}/../${elsewhere.tenantId}`,
      'contoso-forged.example',
    ];
    for (const tenant of forgeries) {
      const { state, cookie } = await adminConsentFlow(org.admin.token);
      const forged = new URL('http://talentsync.test/oauth/callback');
      forged.search = new URLSearchParams({ admin_consent: 'True', tenant, state }).toString();
      const answer = await callback(t.app, forged, cookie);
      assert.equal(answer.status, 400, `${tenant}: ${answer.html}`);
      assert.match(answer.html, /Microsoft did not confirm that your organization consented/);
      const settings = (await t.call(org.admin.token, 'GET', '/api/organization')).json();
      assert.equal(settings.microsoft.tenantId, null, tenant);
      assert.equal(settings.microsoft.adminConsentAt, null, tenant);
    }
    const audit = (await t.call(org.admin.token, 'GET', '/api/organization/audit')).json();
    assert.equal(JSON.stringify(audit).includes('microsoft_admin_consent_granted'), false);

    const started = await t.call(org.admin.token, 'POST', '/api/organization/microsoft-admin-consent');
    const granted = await consent(t.app, started.json().url, {
      token: org.admin.token,
      email: org.admin.email,
      decision: 'allow',
    });
    assert.equal(granted.status, 200, granted.html);
    const settings = (await t.call(org.admin.token, 'GET', '/api/organization')).json();
    assert.equal(settings.microsoft.tenantId, org.tenantId, 'a real consent is confirmed and recorded');
  });
});
