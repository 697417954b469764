/**
 * The whole product running for real on loopback: the API listening on a port (so the sandbox can push
 * to its webhooks), the job worker, and the sandbox with Gmail push (Pub/Sub) pointed at the app.
 */

import type { GooglePushConfig } from '../../src/config.ts';
import { startWorker } from '../../src/jobs/worker.ts';
import type { Logger } from '../../src/log.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { type TestApp, testApp } from './app.ts';
import { onCleanup } from './cleanup.ts';
import { freePort } from './port.ts';
import { sandboxProviders } from './providers.ts';
import { type ControlClient, testSandbox } from './sandbox.ts';

export const PUSH = {
  topicName: 'projects/talentsync-test/topics/gmail',
  serviceAccountEmail: 'gmail-push@talentsync-test.iam.gserviceaccount.com',
};

export interface LiveTest extends TestApp {
  sandbox: Sandbox & { control: ControlClient };
  publicUrl: string;
}

/**
 * The sandbox pushing to an app at `publicUrl`: Gmail through Pub/Sub push to its webhook, Graph's change
 * notifications allowed to its plain-http URL (Graph would demand https).
 */
export function pushingSandbox(publicUrl: string): Promise<Sandbox & { control: ControlClient }> {
  const webhook = `${publicUrl}/webhooks/google`;
  return testSandbox({
    microsoft: { allowHttpNotificationUrls: true },
    google: { pushEndpoint: webhook, pushAudience: webhook, pushServiceAccount: PUSH.serviceAccountEmail },
  });
}

/** The app's Gmail push configuration for the pushes of `pushingSandbox(publicUrl)` at `sandboxUrl`. */
export function pushConfig(sandboxUrl: string, publicUrl: string): GooglePushConfig {
  return {
    ...PUSH,
    audience: `${publicUrl}/webhooks/google`,
    issuers: [`${sandboxUrl}/google`],
    jwksUrl: `${sandboxUrl}/google/oauth2/v3/certs`,
  };
}

export async function liveTest(
  options: {
    pollQuietMs?: number;
    logger?: Logger;
    worker?: boolean;
    /** The worker's poll for jobs it was not notified of (Graphile's `pollInterval`), 2 s unless set. */
    workerPollMs?: number;
  } = {},
): Promise<LiveTest> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await pushingSandbox(publicUrl);
  const config = await sandboxProviders(sandbox, publicUrl, pushConfig(sandbox.url, publicUrl));
  const t = await testApp({ config, ...(options.logger ? { logger: options.logger } : {}) });
  await t.app.listen({ port, host: '127.0.0.1' });
  if (options.worker !== false) {
    const runner = await startWorker(
      t.database.pool,
      t.context,
      { pollQuietMs: options.pollQuietMs ?? 3_600_000, decisionTtlMs: 30 * 86_400_000 },
      4,
      options.workerPollMs,
    );
    onCleanup(() => runner.stop());
  }
  return { ...t, sandbox, publicUrl };
}

/** Waits until `check` answers something truthy, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
