/**
 * An organization whose recruiter has connected a mailbox, against the sandbox, for sync tests: the
 * members (candidates) it needs, the sandbox's control API for delivering and moving mail, and sync runs.
 */
import assert from 'node:assert/strict';
import type { Provider } from '../../src/providers/types.ts';
import { runSync } from '../../src/services/sync.ts';
import { connectAllowing } from './browser.ts';
import type { ProviderTest } from './providers.ts';

export interface Mailbox {
  orgId: string;
  admin: { id: string; email: string; token: string };
  recruiter: { id: string; email: string; token: string };
  connectionId: string;
  provider: Provider;
  /** Delivers a message into the mailbox (or sends one from it); answers the provider's ids. */
  deliver(message: Record<string, unknown>): Promise<{ id: string; threadId: string; messageId: string }>;
  send(message: Record<string, unknown>): Promise<{ id: string; threadId: string; messageId: string }>;
  act(id: string, action: 'trash' | 'restore' | 'delete' | 'archive' | 'move', body?: unknown): Promise<void>;
  /** Runs sync for the mailbox until it is caught up. */
  sync(): Promise<void>;
  threads(): Promise<{ id: string; subject: string; members: { id: string }[]; messageCount: number }[]>;
}

/**
 * Connects the recruiter of a new organization on `domain` to the provider's sandbox mailbox;
 * `beforeConsent` fills the mailbox while it is not connected yet (mail from before authorization, R9).
 */
export async function connectedMailbox(
  t: ProviderTest,
  provider: Provider,
  domain: string,
  options: { beforeConsent?: (deliver: Mailbox['deliver']) => Promise<void> } = {},
): Promise<Mailbox> {
  const org = await t.organization(domain);
  const set = await t.call(org.admin.token, 'PATCH', '/api/organization', { provider });
  assert.equal(set.statusCode, 200, set.body);
  await t.sandbox.control.post(`/${provider}/users`, { email: org.recruiter.email, name: 'Rex Recruiter' });
  const base = `/${provider}/mailboxes/${org.recruiter.email}`;
  await options.beforeConsent?.((message) => t.sandbox.control.post(`${base}/deliver`, message));
  const outcome = await connectAllowing(t, org.recruiter);
  assert.equal(outcome.status, 200, outcome.html);
  const { connection } = (await t.call(org.recruiter.token, 'GET', '/api/connection')).json();
  return {
    orgId: org.orgId,
    admin: org.admin,
    recruiter: org.recruiter,
    connectionId: connection.id,
    provider,
    deliver: (message) => t.sandbox.control.post(`${base}/deliver`, message),
    send: (message) => t.sandbox.control.post(`${base}/send`, message),
    act: async (id, action, body) => {
      await t.sandbox.control.post(`${base}/messages/${encodeURIComponent(id)}/${action}`, body ?? {});
    },
    sync: async () => {
      for (let run = 0; run < 50; run += 1) {
        await runSync(t.context, org.orgId, connection.id);
        const pending = await t.database.db
          .selectFrom('mailbox_sync')
          .select(['last_sync_succeeded_at', 'last_sync_started_at', 'last_error'])
          .where('connection_id', '=', connection.id)
          .executeTakeFirstOrThrow();
        if (pending.last_error) throw new Error(`sync failed: ${pending.last_error}`);
        if (pending.last_sync_succeeded_at?.getTime() === pending.last_sync_started_at?.getTime()) return;
      }
      throw new Error('sync did not catch up');
    },
    threads: async () => (await t.call(org.recruiter.token, 'GET', '/api/threads?limit=200')).json().threads,
  };
}
