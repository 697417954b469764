/** Injected provider faults for sync tests: a share of every API call the sync makes fails. */
import assert from 'node:assert/strict';
import type { Provider } from '../../src/providers/types.ts';
import { onCleanup } from './cleanup.ts';
import type { ProviderTest } from './providers.ts';

/** Every API the sync reads, by provider: faults hit these, never the OAuth token endpoint. */
export const SYNC_APIS: Record<Provider, string[]> = {
  google: [
    'gmail.users.getProfile',
    'gmail.users.history.list',
    'gmail.users.messages.list',
    'gmail.users.messages.get',
    'gmail.batch',
  ],
  microsoft: [
    'graph.me',
    'graph.mailFolders.list',
    'graph.messages.delta',
    'graph.messages.get',
    'graph.messages.value',
    'graph.batch',
  ],
};

/** Fails 30 % of the sync's calls (seeded, so a run is repeatable) with `fault` (status, Retry-After). */
export async function failShareOfCalls(
  t: ProviderTest,
  provider: Provider,
  fault: { status: number; retryAfterSeconds?: number },
): Promise<void> {
  await t.sandbox.control.post('/seed', { seed: 30 });
  for (const endpoint of SYNC_APIS[provider])
    await t.sandbox.control.post('/faults', { provider, endpoint, share: 0.3, ...fault });
  onCleanup(() => t.sandbox.control.del('/faults'));
}

/** Asserts that the sandbox did fail some of the mailbox's calls (or the test proved nothing). */
export async function assertFaultsHit(t: ProviderTest, provider: Provider, user: string): Promise<void> {
  const counters = await t.sandbox.control.get<{ rows: { errors: number }[] }>(
    `/counters?provider=${provider}&user=${user}`,
  );
  assert.ok(
    counters.rows.some((row) => row.errors > 0),
    'the sandbox failed some of the sync’s calls',
  );
}

/**
 * Fails `share` of the sync's calls (seeded by `seed`) with the `statuses` in equal parts, each answer
 * carrying `Retry-After: retryAfterSeconds`: one rule per status and API, their shares chosen so that
 * together they hit `share` of the calls.
 */
export async function failShareWithRetryAfter(
  t: ProviderTest,
  provider: Provider,
  options: { share: number; statuses: number[]; retryAfterSeconds: number; seed: number; user?: string },
): Promise<void> {
  await t.sandbox.control.post('/seed', { seed: options.seed });
  // Each rule draws on its own: 1 − (1 − s)^k = share.
  const each = 1 - (1 - options.share) ** (1 / options.statuses.length);
  for (const endpoint of SYNC_APIS[provider])
    for (const status of options.statuses)
      await t.sandbox.control.post('/faults', {
        provider,
        endpoint,
        status,
        share: each,
        retryAfterSeconds: options.retryAfterSeconds,
        ...(options.user ? { user: options.user } : {}),
      });
}

/** How many of the mailbox's calls the sandbox failed, and how many it answered. */
export async function faultsHit(
  t: ProviderTest,
  provider: Provider,
  user: string,
): Promise<{ calls: number; errors: number }> {
  const counters = await t.sandbox.control.get<{ rows: { calls: number; errors: number }[] }>(
    `/counters?provider=${provider}&user=${user}`,
  );
  return counters.rows.reduce(
    (total, row) => ({ calls: total.calls + row.calls, errors: total.errors + row.errors }),
    { calls: 0, errors: 0 },
  );
}
