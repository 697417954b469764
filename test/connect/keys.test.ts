import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSuppressions } from '../../src/db/suppressions.ts';
import { createVault } from '../../src/domain/vault.ts';
import { sealedAt } from '../../src/services/grants.ts';
import { SUPPRESSION } from '../../src/sync/decide.ts';
import { consent } from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { providerTest } from '../support/providers.ts';

const t = await providerTest();
const OLD = `test:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW_KEY = Buffer.alloc(32, 5);

describe('R7: rotating the token encryption key', () => {
  it('re-seals every stored token under the new key, after which the old key can go', async () => {
    const org = await t.organization('rotate.example');
    await t.call(org.admin.token, 'PATCH', '/api/organization', { provider: 'google' });
    await t.sandbox.control.post('/google/users', { email: org.recruiter.email, name: 'R' });
    const started = (await t.call(org.recruiter.token, 'POST', '/api/connection')).json();
    assert.equal(
      (
        await consent(t.app, started.url, {
          token: org.recruiter.token,
          email: org.recruiter.email,
          decision: 'allow',
        })
      ).status,
      200,
    );
    const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
    const read = () =>
      t.database.db
        .selectFrom('mailbox_connections')
        .select(['refresh_token', 'access_token'])
        .where('id', '=', connection.id)
        .executeTakeFirstOrThrow();
    const before = await read();
    const clear = t.context.vault.open(before.refresh_token ?? '', sealedAt.refreshToken(connection.id));

    const result = await runCli(['keys', 'rotate'], {
      DATABASE_URL: t.database.url,
      TOKEN_ENCRYPTION_KEY: `new:${NEW_KEY.toString('base64')},${OLD}`,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^2 stored secrets re-sealed under key "new"/m);

    const after = await read();
    assert.match(after.refresh_token ?? '', /^v1\.new\./);
    assert.match(after.access_token ?? '', /^v1\.new\./);
    const newOnly = createVault([{ id: 'new', key: NEW_KEY }]);
    assert.equal(newOnly.open(after.refresh_token ?? '', sealedAt.refreshToken(connection.id)), clear);

    const again = await runCli(['keys', 'rotate'], {
      DATABASE_URL: t.database.url,
      TOKEN_ENCRYPTION_KEY: `new:${NEW_KEY.toString('base64')},${OLD}`,
    });
    assert.match(again.stdout, /^0 stored secrets re-sealed/m, 'a second run has nothing to do');
  });

  it('R16: carries an erased member’s suppressions to the new key, so removing the old key lets none of their mail back', async () => {
    const member = await t.member({ emails: ['Erased.Rotation@candidates.example'] });
    const erased = await t.call(member.token, 'POST', '/api/me/erasure');
    assert.equal(erased.statusCode, 200, erased.body);
    const newOnly = createVault([{ id: 'new', key: NEW_KEY }]);
    const address = 'erased.rotation@candidates.example';
    const before = await findSuppressions(t.database.db, t.context.vault.digests(SUPPRESSION, address));
    assert.equal(before.size, 1, 'suppressed under the old key');
    assert.equal(
      (await findSuppressions(t.database.db, newOnly.digests(SUPPRESSION, address))).size,
      0,
      'the new key alone does not find it before the rotation',
    );

    const result = await runCli(['keys', 'rotate'], {
      DATABASE_URL: t.database.url,
      TOKEN_ENCRYPTION_KEY: `new:${NEW_KEY.toString('base64')},${OLD}`,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 erased members' address suppressions carried/);
    const after = await findSuppressions(t.database.db, newOnly.digests(SUPPRESSION, address));
    assert.deepEqual(
      [...after.values()],
      [...before.values()],
      'found under the new key, erased at the same time',
    );
    assert.equal(
      (await findSuppressions(t.database.db, t.context.vault.digests(SUPPRESSION, address))).size,
      0,
      'the old key’s hash is gone',
    );
    const again = await runCli(['keys', 'rotate'], {
      DATABASE_URL: t.database.url,
      TOKEN_ENCRYPTION_KEY: `new:${NEW_KEY.toString('base64')},${OLD}`,
    });
    assert.match(
      again.stdout,
      /0 erased members' address suppressions carried/,
      'a second run has nothing to do',
    );
  });
});
