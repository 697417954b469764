import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import tls from 'node:tls';
import * as client from 'openid-client';
import { testSandbox } from '../support/sandbox.ts';

describe('the sandbox over HTTPS', () => {
  it('serves its endpoints over TLS with a certificate clients can trust, so strict clients need no exception', async () => {
    const sandbox = await testSandbox({ https: true });
    assert.match(sandbox.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(sandbox.certificate?.startsWith('-----BEGIN CERTIFICATE-----'));
    await assert.rejects(fetch(`${sandbox.url}/_sandbox/clock`), 'an untrusted certificate is refused');
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), sandbox.certificate ?? '']);
    // openid-client refuses plain http unless told otherwise; over trusted https it needs nothing.
    const config = await client.discovery(new URL(`${sandbox.url}/google`), 'client', 'secret');
    assert.equal(config.serverMetadata().issuer, `${sandbox.url}/google`);
    assert.match(config.serverMetadata().token_endpoint ?? '', /^https:/);
  });
});
