/** The app wired to the provider sandbox: OAuth clients registered there, the app's config pointing at it. */
import type { Config, GooglePushConfig } from '../../src/config.ts';
import type { Logger } from '../../src/log.ts';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.ts';
import { type TestApp, testApp } from './app.ts';
import { type ControlClient, testSandbox } from './sandbox.ts';

export const PUBLIC_URL = 'http://talentsync.test';

export const GOOGLE_CLIENT = {
  clientId: 'talentsync.apps.googleusercontent.com',
  clientSecret: 'google-secret',
};
export const MICROSOFT_CLIENT = {
  clientId: '3f0e6c1a-7a55-4b8e-9f51-8d1b2a6c0001',
  clientSecret: 'microsoft-secret',
};

export interface ProviderTest extends TestApp {
  sandbox: Sandbox & { control: ControlClient };
}

/**
 * Registers both OAuth apps with the sandbox (redirecting to `publicUrl`) and answers the app configuration
 * that points both providers at it; `push` turns Gmail push on.
 */
export async function sandboxProviders(
  sandbox: Sandbox & { control: ControlClient },
  publicUrl: string,
  push?: GooglePushConfig,
): Promise<Partial<Config>> {
  for (const [provider, client] of [
    ['google', GOOGLE_CLIENT],
    ['microsoft', MICROSOFT_CLIENT],
  ] as const) {
    await sandbox.control.post(`/${provider}/clients`, {
      ...client,
      redirectUris: [`${publicUrl}/oauth/callback`],
    });
  }
  return {
    publicUrl,
    google: { ...GOOGLE_CLIENT, issuer: `${sandbox.url}/google`, apiRoot: `${sandbox.url}/google`, push },
    microsoft: {
      ...MICROSOFT_CLIENT,
      loginUrl: `${sandbox.url}/microsoft/login`,
      graphUrl: `${sandbox.url}/microsoft/graph`,
      tenant: 'common',
    },
  };
}

/** Starts a sandbox (with `sandbox` options) and an app configured for both providers against it. */
export async function providerTest(
  options: { logger?: Logger; sandbox?: SandboxOptions; config?: Partial<Config> } = {},
): Promise<ProviderTest> {
  // PUBLIC_URL is plain http; Graph would demand https for the notification URL, so it is allowed explicitly.
  const sandbox = await testSandbox({
    ...options.sandbox,
    microsoft: { allowHttpNotificationUrls: true, ...options.sandbox?.microsoft },
  });
  const config = { ...(await sandboxProviders(sandbox, PUBLIC_URL)), ...options.config };
  const t = await testApp({ config, ...(options.logger ? { logger: options.logger } : {}) });
  return { ...t, sandbox };
}
