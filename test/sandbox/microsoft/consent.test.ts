import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APP, microsoftSandbox, pkce, postForm, REDIRECT_URI, readForm } from './helpers.ts';

const sandbox = await microsoftSandbox();
const login = `${sandbox.url}/microsoft/login`;
const { tenantId: acme } = await sandbox.control.post<{ tenantId: string }>('/microsoft/users', {
  email: 'rex@acme.example',
  name: 'Rex Recruiter',
});
await sandbox.control.post('/microsoft/users', { email: 'amy@acme.example', name: 'Amy Admin' });
const { tenantId: strict } = await sandbox.control.post<{ tenantId: string }>('/microsoft/users', {
  email: 'sam@strict.example',
  name: 'Sam Strict',
});
await sandbox.control.post('/microsoft/users', { email: 'ada@strict.example', name: 'Ada Admin' });
await sandbox.control.post('/microsoft/users', { email: 'jane@hotmail.com', name: 'Jane Doe' });

function authorizeUrl(params: Record<string, string> = {}, tenant = 'common'): URL {
  const url = new URL(`${login}/${tenant}/oauth2/v2.0/authorize`);
  const defaults = {
    client_id: APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access https://graph.microsoft.com/Mail.Read',
    state: 'xyz',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(name, value);
  return url;
}

async function page(url: URL): Promise<{ status: number; html: string; location: string | null }> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

async function decide(url: URL, fields: Record<string, string>): Promise<Response> {
  const form = readForm((await page(url)).html);
  return postForm(form.action, { ...form.fields, ...fields });
}

describe('the authorize endpoint and its consent page', () => {
  test('lists the requested permissions and prefills the user from login_hint', async () => {
    const { status, html } = await page(authorizeUrl({ login_hint: 'rex@acme.example' }));
    assert.equal(status, 200);
    assert.match(html, /data-scope="Mail\.Read"/);
    assert.match(html, /data-scope="offline_access"/);
    assert.match(html, /name="login" value="rex@acme\.example"/);
    assert.match(html, /value="accept">Accept</);
    assert.match(html, /value="cancel">Cancel</);
  });

  test('signs in whichever sandbox user the form names, and returns the code with the state', async () => {
    const answer = await decide(authorizeUrl({ login_hint: 'rex@acme.example' }), {
      login: 'amy@acme.example',
      decision: 'accept',
    });
    assert.equal(answer.status, 302);
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    assert.ok(location.searchParams.get('code'));
    assert.equal(location.searchParams.get('state'), 'xyz');
    const user = await sandbox.control.get<{ grants: { clientId: string; scopes: string[] }[] }>(
      '/microsoft/users/amy@acme.example',
    );
    assert.deepEqual(user.grants[0]?.scopes.sort(), ['Mail.Read', 'offline_access', 'openid']);
  });

  test('Cancel redirects with access_denied and AADSTS65004', async () => {
    const answer = await decide(authorizeUrl(), { login: 'rex@acme.example', decision: 'cancel' });
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('error_subcode'), 'cancel');
    assert.match(
      location.searchParams.get('error_description') ?? '',
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /,
    );
    assert.equal(location.searchParams.get('state'), 'xyz');
  });

  test('an unknown app or an unregistered redirect URI gets an error page, never a redirect', async () => {
    const unknown = await page(authorizeUrl({ client_id: 'not-registered' }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.location, null);
    assert.match(unknown.html, /AADSTS700016: Application with identifier &#39;not-registered&#39;/);
    const elsewhere = await page(authorizeUrl({ redirect_uri: 'https://evil.example/callback' }));
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.location, null);
    assert.match(elsewhere.html, /AADSTS50011: The redirect URI &#39;https:\/\/evil\.example\/callback&#39;/);
  });

  test('protocol errors after the redirect URI is known go back to the app', async () => {
    const scope = new URL(
      (await page(authorizeUrl({ scope: 'openid https://foo.microsoft.com/mail.read' }))).location ?? '',
    );
    assert.equal(scope.searchParams.get('error'), 'invalid_scope');
    assert.match(scope.searchParams.get('error_description') ?? '', /^AADSTS70011: /);
    const type = new URL((await page(authorizeUrl({ response_type: 'token' }))).location ?? '');
    assert.equal(type.searchParams.get('error'), 'unsupported_response_type');
    const missing = new URL((await page(authorizeUrl({ scope: '' }))).location ?? '');
    assert.equal(missing.searchParams.get('error'), 'invalid_request');
    assert.match(missing.searchParams.get('error_description') ?? '', /^AADSTS900144: .*'scope'/);
  });

  test('an unknown user, or an account the endpoint does not admit, is refused on the page', async () => {
    const nobody = await decide(authorizeUrl(), { login: 'nobody@acme.example', decision: 'accept' });
    assert.equal(nobody.status, 400);
    assert.match(await nobody.text(), /AADSTS50034: The user account nobody@acme\.example does not exist/);
    const personal = await decide(authorizeUrl({}, 'organizations'), {
      login: 'jane@hotmail.com',
      decision: 'accept',
    });
    assert.equal(personal.status, 400);
    assert.match(await personal.text(), /AADSTS50020/);
    const otherTenant = await decide(authorizeUrl({}, acme), {
      login: 'sam@strict.example',
      decision: 'accept',
    });
    assert.equal(otherTenant.status, 400);
  });

  test('response_mode=form_post posts the code to the redirect URI', async () => {
    const answer = await decide(authorizeUrl({ response_mode: 'form_post' }), {
      login: 'rex@acme.example',
      decision: 'accept',
    });
    assert.equal(answer.status, 200);
    const form = readForm(await answer.text());
    assert.equal(form.action, REDIRECT_URI);
    assert.ok(form.fields.code);
    assert.equal(form.fields.state, 'xyz');
  });

  test('response_mode=fragment puts the code in the fragment', async () => {
    const answer = await decide(authorizeUrl({ response_mode: 'fragment' }), {
      login: 'rex@acme.example',
      decision: 'accept',
    });
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(location.search, '');
    const fragment = new URLSearchParams(location.hash.slice(1));
    assert.ok(fragment.get('code'));
    assert.equal(fragment.get('state'), 'xyz');
  });

  test('prompt=none answers without a page: a code once consented, else consent_required or login_required', async () => {
    const fresh = await page(
      authorizeUrl({ prompt: 'none', login_hint: 'rex@acme.example', scope: 'openid Calendars.Read' }),
    );
    assert.equal(new URL(fresh.location ?? '').searchParams.get('error'), 'consent_required');
    assert.match(new URL(fresh.location ?? '').searchParams.get('error_description') ?? '', /^AADSTS65001: /);
    await decide(authorizeUrl({ scope: 'openid Calendars.Read' }), {
      login: 'rex@acme.example',
      decision: 'accept',
    });
    const silent = await page(
      authorizeUrl({ prompt: 'none', login_hint: 'rex@acme.example', scope: 'openid Calendars.Read' }),
    );
    assert.equal(silent.status, 302);
    assert.ok(new URL(silent.location ?? '').searchParams.get('code'));
    const anonymous = await page(authorizeUrl({ prompt: 'none' }));
    assert.equal(new URL(anonymous.location ?? '').searchParams.get('error'), 'login_required');
  });
});

describe('a tenant that requires admin consent', () => {
  test('shows "Need admin approval" and sends the user back with consent_required (AADSTS65001)', async () => {
    await sandbox.control.post(`/microsoft/tenants/${strict}/require-admin-consent`, { required: true });
    const shown = await page(authorizeUrl({ login_hint: 'sam@strict.example' }));
    assert.match(shown.html, /<h1>Need admin approval<\/h1>/);
    const back = await postForm(readForm(shown.html).action, {
      ...readForm(shown.html).fields,
      decision: 'return',
    });
    const location = new URL(back.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'consent_required');
    assert.match(
      location.searchParams.get('error_description') ?? '',
      /^AADSTS65001: The user or administrator has not consented/,
    );
    const accepted = await decide(authorizeUrl(), { login: 'sam@strict.example', decision: 'accept' });
    assert.equal(accepted.status, 200, 'accepting as a user of that tenant still ends on the approval page');
    assert.match(await accepted.text(), /Need admin approval/);
  });

  test('after an admin consents at /v2.0/adminconsent, its users sign in', async () => {
    const url = new URL(`${login}/${strict}/v2.0/adminconsent`);
    url.searchParams.set('client_id', APP.clientId);
    url.searchParams.set('redirect_uri', REDIRECT_URI);
    url.searchParams.set('state', 'admin-1');
    url.searchParams.set('scope', 'https://graph.microsoft.com/.default');
    const shown = await page(url);
    assert.match(shown.html, /accept for your organization/);
    const form = readForm(shown.html);
    const answer = await postForm(form.action, {
      ...form.fields,
      login: 'ada@strict.example',
      decision: 'accept',
    });
    const location = new URL(answer.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('admin_consent'), 'True');
    assert.equal(location.searchParams.get('tenant'), strict);
    assert.equal(location.searchParams.get('state'), 'admin-1');
    const signedIn = await decide(authorizeUrl(), { login: 'sam@strict.example', decision: 'accept' });
    assert.equal(signedIn.status, 302);
    assert.ok(new URL(signedIn.headers.get('location') ?? '').searchParams.get('code'));
  });

  test('a personal account cannot consent for an organization', async () => {
    const url = new URL(`${login}/common/v2.0/adminconsent`);
    for (const [name, value] of Object.entries({
      client_id: APP.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'Mail.Read',
    })) {
      url.searchParams.set(name, value);
    }
    const form = readForm((await page(url)).html);
    const answer = await postForm(form.action, {
      ...form.fields,
      login: 'jane@hotmail.com',
      decision: 'accept',
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('location'), null);
  });
});
