/**
 * Issue 8: the access token posted on a connect link's sign-in page is a credential like a bearer header,
 * so wrong ones count against the address's failed authentications, and past the limit the page refuses
 * before it looks at the token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS } from '../../src/config.ts';
import { signIn } from '../support/browser.ts';
import { providerTest } from '../support/providers.ts';

const limits = { ...DEFAULT_RATE_LIMITS, authFailures: 3 };
const t = await providerTest({ config: { rateLimits: limits } });

describe('the connect link’s sign-in', () => {
  it('hardening: wrong access tokens posted to the sign-in form count as failed authentications', async () => {
    const org = await t.organization('sign-in-limit.example');
    assert.equal(
      (await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' })).statusCode,
      200,
    );
    const started = await t.call(org.recruiter.token, 'POST', '/api/connection');
    assert.equal(started.statusCode, 201, started.body);
    const link = started.json().url;
    const guess = `tsu_${'0'.repeat(16)}_${'x'.repeat(43)}`;
    for (let i = 0; i < limits.authFailures; i += 1) {
      assert.equal((await signIn(t.app, link, guess)).status, 401, 'a wrong token is refused');
    }
    const limited = await signIn(t.app, link, org.recruiter.token);
    assert.equal(limited.status, 429, 'past the limit even the right token waits: nothing is checked');
    assert.match(limited.html, /rate_limited/);
    const bearer = await t.call(org.recruiter.token, 'GET', '/api/me');
    assert.equal(
      bearer.statusCode,
      429,
      'one count with bearer failures: the form is no way around the limit',
    );
  });
});
