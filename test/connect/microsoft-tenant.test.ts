/**
 * Issue 12, item 15: Microsoft's `mail` attribute is whatever a tenant's admin typed, so it cannot tell whose
 * mailbox it is. The product judges the address of record (`userPrincipalName`, SMTP `proxyAddresses`) and
 * binds an organization on Microsoft to its Entra tenant: admin consent or its first admin's connection
 * binds it, and work accounts of other tenants are refused unless an admin allowed that tenant. All through
 * the consent flow against the sandbox.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;
let serial = 0;

async function microsoftOrganization() {
  serial += 1;
  const domain = `contoso-tenant-${serial}.example`;
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'microsoft' });
  assert.equal(set.statusCode, 200, set.body);
  const { tenantId } = await control.post<{ tenantId: string }>('/microsoft/tenants', { domain });
  for (const person of [org.admin, org.recruiter])
    await control.post('/microsoft/users', { email: person.email, name: 'Person' });
  return { ...org, domain, tenantId };
}

async function connect(token: string, email: string) {
  const started = await t.call(token, 'POST', '/api/connection');
  assert.equal(started.statusCode, 201, started.body);
  return consent(t.app, started.json().url, { token, email, decision: 'allow' });
}

const settingsOf = async (token: string) => (await t.call(token, 'GET', '/api/organization')).json();
const connectionOf = async (token: string) =>
  (await t.call(token, 'GET', '/api/connection')).json().connection;

describe('an organization on Microsoft is bound to its Entra tenant', () => {
  it("the first admin's connection binds the organization to the admin's tenant", async () => {
    const org = await microsoftOrganization();
    assert.equal((await settingsOf(org.admin.token)).microsoft.tenantId, null);
    const outcome = await connect(org.admin.token, org.admin.email);
    assert.equal(outcome.status, 200, outcome.html);
    assert.equal((await settingsOf(org.admin.token)).microsoft.tenantId, org.tenantId);
    const recruiter = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(recruiter.status, 200, recruiter.html);
  });

  it('a work account of another tenant is refused, nothing stored, until an admin allows that tenant', async () => {
    const org = await microsoftOrganization();
    // A subsidiary on its own Entra tenant, whose domain the organization counts as internal (R11).
    const subsidiary = `labs-${serial}.example`;
    const patched = await t.call(org.admin.token, 'PATCH', '/api/organization', {
      internalDomains: [subsidiary],
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const { tenantId: other } = await control.post<{ tenantId: string }>('/microsoft/tenants', {
      domain: subsidiary,
    });
    const mailbox = `sam@${subsidiary}`;
    await control.post('/microsoft/users', { email: mailbox, name: 'Sam' });
    assert.equal((await connect(org.admin.token, org.admin.email)).status, 200);

    const refused = await connect(org.recruiter.token, mailbox);
    assert.equal(refused.status, 400, refused.html);
    assert.match(refused.html, /belongs to another Microsoft 365 organization/);
    assert.match(refused.html, /Nothing was stored/);
    assert.equal(await connectionOf(org.recruiter.token), null);

    const member = await t.call(org.recruiter.token, 'PATCH', '/api/organization', {
      microsoftAllowedTenantIds: [other],
    });
    assert.equal(member.statusCode, 403, 'only admins allow tenants');
    const allowed = await t.call(org.admin.token, 'PATCH', '/api/organization', {
      microsoftAllowedTenantIds: [other.toUpperCase()],
    });
    assert.equal(allowed.statusCode, 200, allowed.body);
    assert.deepEqual(allowed.json().organization.microsoft.allowedTenantIds, [other]);
    const bad = await t.call(org.admin.token, 'PATCH', '/api/organization', {
      microsoftAllowedTenantIds: ['common'],
    });
    assert.equal(bad.statusCode, 400, 'a tenant id is a GUID');

    const connected = await connect(org.recruiter.token, mailbox);
    assert.equal(connected.status, 200, connected.html);
    assert.equal((await connectionOf(org.recruiter.token)).address, mailbox);
  });

  it('admin consent binds the tenant too, and a member of another tenant is then refused', async () => {
    const org = await microsoftOrganization();
    const started = await t.call(org.admin.token, 'POST', '/api/organization/microsoft-admin-consent');
    assert.equal(started.statusCode, 201, started.body);
    const consented = await consent(t.app, started.json().url, {
      token: org.admin.token,
      email: org.admin.email,
      decision: 'allow',
    });
    assert.equal(consented.status, 200, consented.html);
    assert.equal((await settingsOf(org.admin.token)).microsoft.tenantId, org.tenantId);
    const subsidiary = `labs-${serial}.example`;
    await t.call(org.admin.token, 'PATCH', '/api/organization', { internalDomains: [subsidiary] });
    await control.post('/microsoft/users', { email: `kim@${subsidiary}`, name: 'Kim' });
    const refused = await connect(org.recruiter.token, `kim@${subsidiary}`);
    assert.equal(refused.status, 400, refused.html);
    assert.match(refused.html, /belongs to another Microsoft 365 organization/);
  });

  it('R8: a personal Microsoft account is not a foreign tenant; it connects after confirmation, binding nothing', async () => {
    const org = await microsoftOrganization();
    assert.equal((await connect(org.admin.token, org.admin.email)).status, 200);
    const personal = `person-${serial}@outlook.com`;
    await control.post('/microsoft/users', { email: personal, name: 'Personal' });
    const outcome = await connect(org.recruiter.token, personal);
    assert.equal(outcome.status, 200, outcome.html);
    assert.equal((await connectionOf(org.recruiter.token)).address, personal);
    assert.equal((await settingsOf(org.admin.token)).microsoft.tenantId, org.tenantId);
  });
});

describe("Microsoft's mail attribute does not make a mailbox someone else's", () => {
  it("an account of another tenant whose admin set mail to a colleague's address is refused as foreign", async () => {
    const org = await microsoftOrganization();
    const mallory = `mallory@evil-${serial}.example`;
    // Before anything bound the organization: the address of record alone must keep it out.
    await control.post('/microsoft/users', { email: mallory, name: 'Mallory', mail: org.admin.email });
    const outcome = await connect(org.recruiter.token, mallory);
    assert.equal(outcome.status, 400, outcome.html);
    assert.match(outcome.html, new RegExp(`${mallory} was not connected`));
    assert.doesNotMatch(outcome.html, new RegExp(`${org.admin.email} is connected`));
    assert.equal(await connectionOf(org.recruiter.token), null);
    assert.equal((await settingsOf(org.admin.token)).microsoft.tenantId, null, 'nothing was bound');
  });

  it('an own account whose mail was set elsewhere connects under its address of record', async () => {
    const org = await microsoftOrganization();
    await control.post('/microsoft/users', { email: org.recruiter.email, mail: `ceo@${org.domain}` });
    const outcome = await connect(org.recruiter.token, org.recruiter.email);
    assert.equal(outcome.status, 200, outcome.html);
    assert.equal((await connectionOf(org.recruiter.token)).address, org.recruiter.email);
  });
});
