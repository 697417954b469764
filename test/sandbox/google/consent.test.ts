import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { submitConsent } from '../../support/browser.ts';
import { testSandbox } from '../../support/sandbox.ts';
import {
  CALENDAR_EVENTS,
  CALENDAR_FREEBUSY,
  CLIENT,
  calendarClient,
  failure,
  GMAIL_READONLY,
  gmailClient,
  newUser,
  REDIRECT,
  registerClient,
} from './helpers.ts';

const sandbox = await testSandbox();
const issuer = `${sandbox.url}/google`;
const oauth = () =>
  new OAuth2Client({
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT,
    endpoints: { oauth2AuthBaseUrl: `${issuer}/o/oauth2/v2/auth`, oauth2TokenUrl: `${issuer}/token` },
  });

before(() => registerClient(sandbox));

/** The consent page as a browser shows it; the person unticks `untick` and allows. */
async function consentUnticking(email: string, untick: string[]) {
  const client = oauth();
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: 'offline',
    scope: ['openid', 'email', GMAIL_READONLY, CALENDAR_EVENTS, CALENDAR_FREEBUSY],
    code_challenge: codeChallenge ?? '',
    code_challenge_method: CodeChallengeMethod.S256,
    login_hint: email,
  });
  const page = await fetch(url);
  const back = await submitConsent(await page.text(), page.url, email, 'allow', untick);
  const { tokens } = await client.getToken({ code: back?.searchParams.get('code') ?? '', codeVerifier });
  return { back, tokens };
}

describe('Google granular consent on the sandbox consent page', () => {
  it('grants only the ticked scopes: the redirect and the token say so, and Calendar answers 403', async () => {
    const email = await newUser(sandbox);
    const { back, tokens } = await consentUnticking(email, [CALENDAR_EVENTS, CALENDAR_FREEBUSY]);
    const granted = (back?.searchParams.get('scope') ?? '').split(' ');
    assert.ok(granted.includes(GMAIL_READONLY));
    assert.ok(!granted.includes(CALENDAR_EVENTS) && !granted.includes(CALENDAR_FREEBUSY));
    assert.deepEqual((tokens.scope ?? '').split(' ').sort(), granted.sort());
    const gmail = gmailClient(sandbox, { access_token: tokens.access_token ?? '' }).api;
    assert.equal((await gmail.users.getProfile({ userId: 'me' })).data.emailAddress, email);
    const refused = await failure(
      calendarClient(sandbox, tokens.access_token ?? '').events.get({ calendarId: 'primary', eventId: 'x1' }),
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.errors[0]?.reason, 'insufficientPermissions');
  });

  it('always grants the sign-in scopes, which have no checkbox', async () => {
    const email = await newUser(sandbox);
    const { tokens } = await consentUnticking(email, [GMAIL_READONLY, CALENDAR_EVENTS, CALENDAR_FREEBUSY]);
    assert.deepEqual((tokens.scope ?? '').split(' ').sort(), [
      'https://www.googleapis.com/auth/userinfo.email',
      'openid',
    ]);
    assert.ok(tokens.id_token);
  });
});
