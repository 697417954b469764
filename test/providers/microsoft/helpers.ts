/**
 * What the Microsoft adapter tests share: a sandbox with the test app registered, the adapter's config
 * pointing at it, a signed-in mailbox with control API shortcuts, and a way to run `changes` to the end
 * of a round.
 */
import type { MicrosoftConfig } from '../../../src/config.ts';
import type { MailChange, MailCursor, MailSource, MessageHeaders } from '../../../src/providers/types.ts';
import type { MicrosoftOptions } from '../../../src/sandbox/microsoft/index.ts';
import {
  APP,
  graphFetch,
  type MicrosoftSandbox,
  microsoftSandbox,
  signIn,
} from '../../sandbox/microsoft/helpers.ts';

export const JANE = { name: 'Jane Candidate', address: 'jane@gmail.com' };

/** A sandbox and the adapter's configuration for it. */
export async function adapterSandbox(microsoft?: MicrosoftOptions) {
  // The adapter's push tests listen on plain http locally, which Graph would refuse: turned on explicitly.
  const sandbox = await microsoftSandbox({ microsoft: { allowHttpNotificationUrls: true, ...microsoft } });
  const config: MicrosoftConfig = {
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    loginUrl: `${sandbox.url}/microsoft/login`,
    graphUrl: `${sandbox.url}/microsoft/graph`,
    tenant: 'common',
  };
  return { sandbox, config };
}

/** What the control API answers for a stored message. */
export interface Stored {
  id: string;
  threadId: string;
  messageId: string;
  folder: string;
  folderId: string;
}

export type Mailbox = Awaited<ReturnType<typeof mailbox>>;

/** A new sandbox user, signed in, with shortcuts to change its mail. */
export async function mailbox(sandbox: MicrosoftSandbox, email: string) {
  await sandbox.control.post('/microsoft/users', { email, name: 'Rex Recruiter' });
  const { access_token: token } = await signIn(sandbox, email);
  const base = `/microsoft/mailboxes/${email}`;
  const message =
    (kind: string) =>
    (subject: string, body: Record<string, unknown> = {}) =>
      sandbox.control.post<Stored>(`${base}/${kind}`, {
        from: JANE,
        subject,
        text: `Body of ${subject}`,
        ...body,
      });
  return {
    email,
    token,
    deliver: message('deliver'),
    send: message('send'),
    spam: message('spam'),
    draft: message('draft'),
    /** trash, restore, delete (for good), archive, move `{folder}`. */
    act: (id: string, action: string, body?: unknown) =>
      sandbox.control.post<Stored>(`${base}/messages/${id}/${action}`, body),
    /** Graph's DELETE: the message goes to Recoverable Items. */
    graphDelete: async (id: string) => {
      const response = await graphFetch(sandbox, token, `me/messages/${id}`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`DELETE answered ${response.status}`);
    },
    /** Calls and errors per Graph operation for this mailbox. */
    counters: async () => {
      const { rows } = await sandbox.control.get<{
        rows: { method: string; calls: number; errors: number }[];
      }>(`/counters?provider=microsoft&user=${email}`);
      return Object.fromEntries(rows.map((row) => [row.method, { calls: row.calls, errors: row.errors }]));
    },
  };
}

/** Runs `changes` until it says nothing more is waiting; the changes, the cursor and how many calls. */
export async function drain(source: MailSource, token: string, cursor: MailCursor, limit = 100) {
  const changes: MailChange[] = [];
  let calls = 0;
  let current = cursor;
  for (;;) {
    const page = await source.changes(token, current);
    calls += 1;
    changes.push(...page.changes);
    current = page.cursor;
    if (!page.more) break;
    if (calls >= limit) throw new Error(`no end of round after ${calls} calls`);
  }
  return { changes, cursor: current, calls };
}

/** Ids upserted, in order. */
export const upserted = (changes: MailChange[]) =>
  changes.filter((change) => change.kind === 'upsert').map((change) => change.id);

/** Ids deleted, in order. */
export const deleted = (changes: MailChange[]) =>
  changes.filter((change) => change.kind === 'delete').map((change) => change.id);

/** The headers an upsert carried for an id. */
export function headersOf(changes: MailChange[], id: string): MessageHeaders {
  const change = changes.find((entry) => entry.kind === 'upsert' && entry.id === id);
  if (change?.kind !== 'upsert' || !change.headers) throw new Error(`no upsert with headers for ${id}`);
  return change.headers;
}

/** An hour ago: mail delivered now is after it. */
export const anHourAgo = () => new Date(Date.now() - 60 * 60 * 1000);
