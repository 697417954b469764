/**
 * Issue 8, item 1: a connect flow belongs to the user who asked for it. A start link forwarded to someone
 * else cannot be completed by them, the consenting mailbox must be acceptable for the flow's user, a
 * personal mailbox needs its user's own confirmation, and a callback without the browser's cookie leaves
 * the flow as it was. On both providers, through the sandbox.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVIDERS, type Provider } from '../../src/providers/types.ts';
import { discardAbandonedGrants } from '../../src/services/connect-mailbox.ts';
import { accessToken } from '../../src/services/grants.ts';
import { callback, confirmPersonal, consent, signIn, submitConsent } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;
let serial = 0;

/** An organization on `provider` whose recruiter has a sandbox mailbox. */
async function organizationOn(provider: Provider, label: string) {
  serial += 1;
  const org = await t.organization(`${label}-${serial}-${provider}.example`);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider });
  assert.equal(set.statusCode, 200, set.body);
  await control.post(`/${provider}/users`, { email: org.recruiter.email, name: 'Rex Recruiter' });
  return org;
}

async function startLink(token: string): Promise<string> {
  const started = await t.call(token, 'POST', '/api/connection');
  assert.equal(started.statusCode, 201, started.body);
  return started.json().url;
}

async function connectionOf(token: string) {
  return (await t.call(token, 'GET', '/api/connection')).json().connection;
}

/** Rows a flow's user left behind: connections, and grants held on flows. */
async function storedFor(userId: string) {
  const connections = await t.database.db
    .selectFrom('mailbox_connections')
    .select('id')
    .where('user_id', '=', userId)
    .execute();
  const held = await t.database.db
    .selectFrom('oauth_flows')
    .select('id')
    .where('user_id', '=', userId)
    .where('held_grant', 'is not', null)
    .execute();
  return { connections: connections.length, held: held.length };
}

for (const provider of PROVIDERS) {
  const personalDomain = provider === 'google' ? 'gmail.com' : 'outlook.com';

  describe(`a connect flow bound to its user (${provider})`, () => {
    it('hardening: a forwarded start link cannot be completed by another user or browser', async () => {
      const attacker = await organizationOn(provider, 'forwarder');
      const victim = await organizationOn(provider, 'victim');
      const url = await startLink(attacker.recruiter.token);

      const opened = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
      assert.equal(opened.statusCode, 200);
      assert.equal(opened.headers.location, undefined, 'nothing goes to the provider before sign-in');
      assert.match(
        opened.body,
        new RegExp(`talentsync account of Test member \\(${attacker.recruiter.email}\\)`),
      );
      assert.match(opened.body, /in Org forwarder-/);

      const member = await t.member();
      for (const token of [victim.recruiter.token, attacker.admin.token, member.token, 'tsu_forged', '']) {
        const tried = await signIn(t.app, url, token);
        assert.equal(tried.status === 401 || tried.status === 403, true, `${tried.status} for ${token}`);
        assert.equal(tried.location, undefined);
        assert.doesNotMatch(
          String(tried.headers['set-cookie']),
          /talentsync_oauth=/,
          'no binding for anyone else',
        );
      }
      assert.match((await signIn(t.app, url, victim.recruiter.token)).html, /made for Test member/);

      // The link survived every wrong sign-in, and its own user still completes it.
      const outcome = await consent(t.app, url, {
        token: attacker.recruiter.token,
        email: attacker.recruiter.email,
        decision: 'allow',
      });
      assert.equal(outcome.status, 200, outcome.html);
      assert.equal((await connectionOf(attacker.recruiter.token)).address, attacker.recruiter.email);
      assert.equal(await connectionOf(victim.recruiter.token), null);
    });

    it('hardening: a sign-in form posted without this browser’s form cookie (cross-site) is refused', async () => {
      const org = await organizationOn(provider, 'csrf');
      const url = await startLink(org.recruiter.token);
      const code = new URL(url).pathname.split('/').pop() ?? '';
      // The victim's browser has its own form cookie (it opened the page) or none; the other site can
      // choose the posted fields, but not the cookie.
      const page = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
      const own = String(page.headers['set-cookie']).split(';')[0] ?? '';
      for (const cookie of [undefined, own]) {
        const forged = await t.app.inject({
          method: 'POST',
          url: '/oauth/start',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(cookie ? { cookie } : {}),
          },
          payload: new URLSearchParams({
            link: code,
            form: 'chosen-by-the-other-site',
            token: org.recruiter.token,
          }).toString(),
        });
        assert.equal(forged.statusCode, 403);
        assert.equal(forged.headers.location, undefined);
        assert.doesNotMatch(String(forged.headers['set-cookie']), /talentsync_oauth=/);
      }
      assert.equal((await signIn(t.app, url, org.recruiter.token)).status, 303, 'the link is still usable');
    });

    it('hardening: a mailbox that is not the user’s is refused, nothing is stored and the grant is revoked', async () => {
      const org = await organizationOn(provider, 'wrongbox');
      const domain = org.recruiter.email.split('@')[1] ?? '';
      const strangers = [
        `victim@other-${serial}.example`,
        `victim@${domain}.evil.example`,
        `victim@evil-${domain}`,
      ];
      for (const stranger of strangers) {
        await control.post(`/${provider}/users`, { email: stranger, name: 'Victim' });
        const outcome = await consent(t.app, await startLink(org.recruiter.token), {
          token: org.recruiter.token,
          email: stranger,
          decision: 'allow',
        });
        assert.equal(outcome.status, 400, outcome.html);
        assert.match(outcome.html, /was not connected: a mailbox connected for Test member/);
        assert.match(outcome.html, /Nothing was stored/);
        assert.deepEqual(await storedFor(org.recruiter.id), { connections: 0, held: 0 });
        if (provider === 'google') {
          const { grants } = await control.get<{ grants: { revoked: boolean }[] }>(
            `/google/users/${stranger}`,
          );
          assert.ok(grants.length > 0 && grants.every((grant) => grant.revoked), 'the grant is revoked');
        }
      }
    });

    it('hardening: an organization mailbox on a subdomain or an internal domain connects, in any case', async () => {
      const org = await organizationOn(provider, 'orgbox');
      const domain = org.recruiter.email.split('@')[1] ?? '';
      const patched = await t.call(org.admin.token, 'PATCH', '/api/organization', {
        internalDomains: [`sister-${serial}.example`],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      for (const address of [`Team.Inbox@EU.${domain.toUpperCase()}`, `team@sister-${serial}.example`]) {
        const colleague = await t.user(org.orgId);
        await control.post(`/${provider}/users`, { email: address.toLowerCase(), name: 'Team' });
        const outcome = await consent(t.app, await startLink(colleague.token), {
          token: colleague.token,
          email: address.toLowerCase(),
          decision: 'allow',
        });
        assert.equal(outcome.status, 200, outcome.html);
        assert.equal((await connectionOf(colleague.token)).address, address.toLowerCase());
      }
    });

    it('hardening: a personal mailbox connects only after its user confirms, in the same browser', async () => {
      const org = await organizationOn(provider, 'personal');
      const personal = `rex.${serial}.${Date.now()}@${personalDomain}`;
      await control.post(`/${provider}/users`, { email: personal, name: 'Rex at home' });

      const declined = await consent(t.app, await startLink(org.recruiter.token), {
        token: org.recruiter.token,
        email: personal,
        decision: 'allow',
        personal: 'cancel',
      });
      assert.equal(declined.status, 400, declined.html);
      assert.match(declined.html, /was not connected\. Nothing was stored/);
      assert.deepEqual(await storedFor(org.recruiter.id), { connections: 0, held: 0 });

      // Stop at the question: it names the account, and nothing is connected until it is answered.
      const signedIn = await signIn(t.app, await startLink(org.recruiter.token), org.recruiter.token);
      const providerPage = await fetch(String(signedIn.location));
      const back = await submitConsent(await providerPage.text(), providerPage.url, personal, 'allow');
      assert.ok(back);
      const question = await callback(t.app, back, signedIn.cookie);
      assert.equal(question.status, 200);
      assert.match(
        question.html,
        /personal mailbox.*Private mail with people who are candidates could be synced/,
      );
      assert.match(
        question.html,
        new RegExp(`Connect it anyway to the talentsync account of Test member \\(${org.recruiter.email}\\)`),
      );
      assert.equal(await connectionOf(org.recruiter.token), null);

      for (const cookie of [undefined, 'talentsync_oauth=another-browser']) {
        const elsewhere = await confirmPersonal(t.app, cookie, 'connect');
        assert.equal(elsewhere.status, 400);
        assert.equal(await connectionOf(org.recruiter.token), null, 'not from another browser');
      }
      const confirmed = await confirmPersonal(t.app, signedIn.cookie, 'connect');
      assert.equal(confirmed.status, 200, confirmed.html);
      assert.match(confirmed.html, /Warning: .*personal mailbox/);
      const connection = await connectionOf(org.recruiter.token);
      assert.equal(connection.address, personal);
      assert.match(connection.warning, /personal mailbox/);
      assert.equal((await confirmPersonal(t.app, signedIn.cookie, 'connect')).status, 400, 'answered once');
    });

    it('hardening: a callback without the browser cookie leaves the flow usable for its own browser', async () => {
      const org = await organizationOn(provider, 'nocookie');
      const signedIn = await signIn(t.app, await startLink(org.recruiter.token), org.recruiter.token);
      const providerPage = await fetch(String(signedIn.location));
      const back = await submitConsent(
        await providerPage.text(),
        providerPage.url,
        org.recruiter.email,
        'allow',
      );
      assert.ok(back);
      for (const cookie of [undefined, 'talentsync_oauth=', 'talentsync_oauth=someone-elses']) {
        const stranger = await callback(t.app, back, cookie);
        assert.equal(stranger.status, 400);
        assert.match(stranger.html, /started in another browser/);
      }
      const denial = new URL(back);
      denial.search = new URLSearchParams({
        error: 'access_denied',
        state: back.searchParams.get('state') ?? '',
      }).toString();
      assert.match((await callback(t.app, denial, undefined)).html, /started in another browser/);

      const own = await callback(t.app, back, signedIn.cookie);
      assert.equal(own.status, 200, own.html);
      assert.match(own.html, /Mailbox connected/);
    });

    it('hardening: a personal mailbox left unconfirmed has its held grant revoked and erased', async () => {
      const org = await organizationOn(provider, 'abandoned');
      const personal = `rex.gone.${serial}.${Date.now()}@${personalDomain}`;
      await control.post(`/${provider}/users`, { email: personal, name: 'Rex at home' });
      const signedIn = await signIn(t.app, await startLink(org.recruiter.token), org.recruiter.token);
      const providerPage = await fetch(String(signedIn.location));
      const back = await submitConsent(await providerPage.text(), providerPage.url, personal, 'allow');
      assert.ok(back);
      assert.match((await callback(t.app, back, signedIn.cookie)).html, /This is a personal mailbox/);
      assert.deepEqual(await storedFor(org.recruiter.id), { connections: 0, held: 1 });

      await t.database.db
        .updateTable('oauth_flows')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('user_id', '=', org.recruiter.id)
        .execute();
      assert.ok((await discardAbandonedGrants(t.context)) >= 1);
      assert.deepEqual(await storedFor(org.recruiter.id), { connections: 0, held: 0 });
      assert.equal((await confirmPersonal(t.app, signedIn.cookie, 'connect')).status, 400, 'too late');
      if (provider === 'google') {
        const { grants } = await control.get<{ grants: { revoked: boolean }[] }>(`/google/users/${personal}`);
        assert.ok(grants.length > 0 && grants.every((grant) => grant.revoked), 'the grant is revoked');
      }
    });

    it('hardening: refusing a mailbox that its owner already connected leaves the owner’s connection working', async () => {
      const owner = await organizationOn(provider, 'owner');
      const other = await organizationOn(provider, 'other');
      const connected = await consent(t.app, await startLink(owner.recruiter.token), {
        token: owner.recruiter.token,
        email: owner.recruiter.email,
        decision: 'allow',
      });
      assert.equal(connected.status, 200, connected.html);
      const refused = await consent(t.app, await startLink(other.recruiter.token), {
        token: other.recruiter.token,
        email: owner.recruiter.email,
        decision: 'allow',
      });
      assert.equal(refused.status, 400, refused.html);
      assert.match(refused.html, /was not connected/);
      const connection = await connectionOf(owner.recruiter.token);
      await accessToken(t.context, owner.orgId, connection.id, { force: true });
      assert.equal((await connectionOf(owner.recruiter.token)).status, 'connected');
    });
  });
}
