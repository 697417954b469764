import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;
const GMAIL = 'https://www.googleapis.com/auth/gmail.readonly';
const EVENTS = 'https://www.googleapis.com/auth/calendar.events';
const FREEBUSY = 'https://www.googleapis.com/auth/calendar.freebusy';

/** A Google Workspace recruiter who goes through the consent page, unticking the given scopes. */
async function connectUnticking(domain: string, untick: string[]) {
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
  assert.equal(set.statusCode, 200, set.body);
  await control.post('/google/users', { email: org.recruiter.email, name: 'Recruiter' });
  const started = await t.call(org.recruiter.token, 'POST', '/api/connection');
  assert.equal(started.statusCode, 201, started.body);
  const outcome = await consent(t.app, started.json().url, {
    token: org.recruiter.token,
    email: org.recruiter.email,
    decision: 'allow',
    untick,
  });
  return { org, outcome };
}

const grantOf = async (email: string) =>
  (await control.get<{ grants: { scopes: string[]; revoked: boolean }[] }>(`/google/users/${email}`))
    .grants[0];

describe('Google granular consent', () => {
  it('the sandbox consent page has a ticked checkbox for each scope beyond sign-in', async () => {
    const org = await t.organization('granular-page.example');
    await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    const started = await t.call(org.recruiter.token, 'POST', '/api/connection');
    const { signIn } = await import('../support/browser.ts');
    const signedIn = await signIn(t.app, started.json().url, org.recruiter.token);
    const page = await (await fetch(signedIn.location ?? '')).text();
    for (const scope of [GMAIL, EVENTS, FREEBUSY])
      assert.match(page, new RegExp(`type="checkbox" name="grant_\\d+" value="${scope}" checked`));
    assert.doesNotMatch(page, /type="checkbox"[^>]*value="openid"/);
  });

  it('R6: mail kept and calendar unticked: the mailbox connects and syncs, with a warning that says what to allow for scheduling', async () => {
    const { org, outcome } = await connectUnticking('granular-mail.example', [EVENTS, FREEBUSY]);
    assert.equal(outcome.status, 200, outcome.html);
    assert.match(outcome.html, /Mailbox connected/);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection.status, 'connected');
    assert.match(connection.warning, /Calendar access was not allowed, so interviews cannot be scheduled/);
    assert.match(connection.warning, /“View and edit events on all your calendars”/);
    assert.match(outcome.html, /Calendar access was not allowed/);
    const grant = await grantOf(org.recruiter.email);
    assert.deepEqual(
      [GMAIL, EVENTS, FREEBUSY].filter((scope) => grant?.scopes.includes(scope)),
      [GMAIL],
    );
    assert.equal(grant?.revoked, false);
  });

  it('R6: mail unticked: nothing is connected, the grant is revoked, and the page says which permission to keep', async () => {
    const { org, outcome } = await connectUnticking('granular-none.example', [GMAIL]);
    assert.notEqual(outcome.status, 200);
    assert.match(outcome.html, /was not connected: talentsync needs to read your mail/);
    assert.match(outcome.html, /keep “View your email messages and settings” ticked/);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection, null);
    assert.equal((await grantOf(org.recruiter.email))?.revoked, true);
  });

  it('R6: everything ticked connects without a warning, as before', async () => {
    const { org, outcome } = await connectUnticking('granular-all.example', []);
    assert.equal(outcome.status, 200, outcome.html);
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    assert.equal(connection.warning, null);
  });
});
