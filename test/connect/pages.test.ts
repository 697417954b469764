/**
 * The OAuth pages and redirects carry single-use secrets in their URLs and name people: none of them may
 * be cached or leak its URL as a Referer. Also the demo's shortcut, which signs its own browser in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { testApp } from '../support/app.ts';
import { callback, confirmPersonal, signIn, submitConsent } from '../support/browser.ts';
import { onCleanup } from '../support/cleanup.ts';
import { GOOGLE_CLIENT, providerTest } from '../support/providers.ts';

const t = await providerTest();
const { control } = t.sandbox;

function assertPrivate(label: string, headers: LightMyRequestResponse['headers']) {
  assert.equal(headers['cache-control'], 'no-store', label);
  assert.equal(headers['referrer-policy'], 'no-referrer', label);
}

async function googleOrganization(domain: string) {
  const org = await t.organization(domain);
  await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
  await control.post('/google/users', { email: org.recruiter.email, name: 'Rex' });
  return org;
}

describe('OAuth pages', () => {
  it('hardening: every OAuth page and redirect is no-store and no-referrer', async () => {
    const org = await googleOrganization('pages.example');
    const personal = `rex.pages.${Date.now()}@gmail.com`;
    await control.post('/google/users', { email: personal, name: 'Rex at home' });
    const url = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json().url;
    const path = new URL(url).pathname;
    const inject = (method: 'GET' | 'POST', target: string) => t.app.inject({ method, url: target });

    assertPrivate('start page', (await inject('GET', path)).headers);
    assertPrivate('unknown link', (await inject('GET', '/oauth/start/unknown')).headers);
    assertPrivate('form without its cookie', (await inject('POST', '/oauth/start')).headers);
    assertPrivate('wrong token', (await signIn(t.app, url, 'tsu_wrong')).headers);
    const signedIn = await signIn(t.app, url, org.recruiter.token);
    assert.equal(signedIn.status, 303);
    assertPrivate('redirect to the provider', signedIn.headers);

    const page = await fetch(String(signedIn.location));
    const back = await submitConsent(await page.text(), page.url, personal, 'allow');
    assert.ok(back);
    const stranger = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    assertPrivate('callback from another browser', stranger.headers);
    const question = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: signedIn.cookie ?? '' },
    });
    assert.match(question.body, /personal mailbox/);
    assertPrivate('personal mailbox question', question.headers);
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/oauth/confirm',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signedIn.cookie ?? '' },
      payload: 'decision=connect',
    });
    assert.match(confirm.body, /Mailbox connected/);
    assertPrivate('connected page', confirm.headers);
    assertPrivate('replayed callback', (await inject('GET', `${back.pathname}${back.search}`)).headers);
    assertPrivate('late confirmation', (await inject('POST', '/oauth/confirm')).headers);
    assert.equal((await confirmPersonal(t.app, signedIn.cookie, 'connect')).status, 400);
  });

  it('hardening: the demo link signs in its own browser, binds it, and its redirect is no-store', async () => {
    const org = await googleOrganization('demo-pages.example');
    const demo = await buildApp({ context: t.context, demo: { domain: 'demo-pages.example' } });
    onCleanup(() => demo.close());
    const started = await demo.inject({ method: 'GET', url: `/demo/connect?email=${org.recruiter.email}` });
    assert.equal(started.statusCode, 302, started.body);
    assertPrivate('demo redirect', started.headers);
    const cookie = String(started.headers['set-cookie']).split(';')[0] ?? '';
    assert.match(cookie, /^talentsync_oauth=./);
    const page = await fetch(String(started.headers.location));
    const back = await submitConsent(await page.text(), page.url, org.recruiter.email, 'allow');
    assert.ok(back);
    const done = await callback(demo, back, cookie);
    assert.equal(done.status, 200, done.html);
    assert.match(done.html, /Mailbox connected/);
  });

  it('hardening: over https the OAuth cookies are __Host- cookies, which a sibling subdomain cannot plant', async () => {
    const https = await testApp({
      config: {
        publicUrl: 'https://talentsync.test',
        google: {
          ...GOOGLE_CLIENT,
          issuer: `${t.sandbox.url}/google`,
          apiRoot: `${t.sandbox.url}/google`,
          push: undefined,
        },
      },
    });
    const org = await https.organization('https-pages.example');
    await https.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    const url = (await https.call(org.recruiter.token, 'POST', '/api/connection')).json().url;
    const page = await https.app.inject({ method: 'GET', url: new URL(url).pathname });
    const signedIn = await signIn(https.app, url, org.recruiter.token);
    assert.equal(signedIn.status, 303, signedIn.html);
    const set = [page.headers['set-cookie'], signedIn.headers['set-cookie']].flat().map(String);
    const named = (name: string) =>
      set.find((line) => line.startsWith(`${name}=`) && !line.startsWith(`${name}=;`));
    for (const name of ['__Host-talentsync_signin', '__Host-talentsync_oauth']) {
      const line = named(name) ?? '';
      assert.match(line, /; Path=\/(;|$)/, name);
      assert.match(line, /; Secure/, name);
      assert.match(line, /; HttpOnly/, name);
      assert.match(line, /; SameSite=(Lax|Strict)/, name);
      assert.doesNotMatch(line, /Domain=/, name);
    }
  });
});
