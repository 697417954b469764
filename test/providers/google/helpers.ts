/** The Google adapter against the sandbox: a config pointing at it, signed-in mailboxes, mail, counters. */
import type { GoogleConfig } from '../../../src/config.ts';
import { createGoogleMail } from '../../../src/providers/google/mail.ts';
import type { MailChange, MailCursor, MailSource } from '../../../src/providers/types.ts';
import type { SandboxOptions } from '../../../src/sandbox/server.ts';
import {
  CLIENT,
  GMAIL_READONLY,
  newUser,
  registerClient,
  signIn,
  type TestSandbox,
} from '../../sandbox/google/helpers.ts';
import { testSandbox } from '../../support/sandbox.ts';

export const jane = { name: 'Jane Candidate', address: 'jane@gmail.com' };

export interface GoogleTest {
  sandbox: TestSandbox;
  config: GoogleConfig;
  mail: MailSource;
  /** A fresh sandbox mailbox and an access token to it. */
  mailbox(): Promise<Mailbox>;
  /** Sandbox time now. */
  now(): Promise<Date>;
  /** Quota units and calls the mailbox spent per method since the counters were last zeroed. */
  spent(email: string): Promise<Record<string, { calls: number; units: number }>>;
}

export interface Mailbox {
  email: string;
  token: string;
  deliver(body: Record<string, unknown>): Promise<{ id: string; threadId: string; messageId: string }>;
  send(body: Record<string, unknown>): Promise<{ id: string; threadId: string; messageId: string }>;
  /** Calls a control action on one message (`trash`, `restore`, `delete`, `archive`, `move`, `labels`). */
  act(id: string, action: string, body?: unknown): Promise<unknown>;
}

/** A sandbox for one test file, with the OAuth client registered and the adapter configured for it. */
export async function googleTest(options: SandboxOptions = {}): Promise<GoogleTest> {
  const sandbox = await testSandbox(options);
  await registerClient(sandbox);
  const config: GoogleConfig = {
    ...CLIENT,
    issuer: `${sandbox.url}/google`,
    apiRoot: `${sandbox.url}/google`,
    push: undefined,
  };
  return {
    sandbox,
    config,
    mail: createGoogleMail(config),
    async mailbox() {
      const email = await newUser(sandbox);
      const token = (await signIn(sandbox, email, [GMAIL_READONLY])).access_token;
      const base = `/google/mailboxes/${email}`;
      return {
        email,
        token,
        deliver: (body) => sandbox.control.post(`${base}/deliver`, { from: jane, ...body }),
        send: (body) => sandbox.control.post(`${base}/send`, body),
        act: (id, action, body) => sandbox.control.post(`${base}/messages/${id}/${action}`, body),
      };
    },
    async now() {
      return new Date((await sandbox.control.get<{ now: string }>('/clock')).now);
    },
    async spent(email) {
      const { rows } = await sandbox.control.get<{
        rows: { method: string; calls: number; units: number }[];
      }>(`/counters?provider=google&user=${encodeURIComponent(email)}`);
      return Object.fromEntries(rows.map((row) => [row.method, { calls: row.calls, units: row.units }]));
    },
  };
}

/** Reads changes until none wait: every change in order, the last cursor, and how many pages it took. */
export async function drain(
  mail: MailSource,
  token: string,
  cursor: MailCursor,
): Promise<{ changes: MailChange[]; cursor: MailCursor; pages: number }> {
  const changes: MailChange[] = [];
  let current = cursor;
  for (let pages = 1; pages < 100; pages += 1) {
    const page = await mail.changes(token, current);
    changes.push(...page.changes);
    current = page.cursor;
    if (!page.more) return { changes, cursor: current, pages };
  }
  throw new Error('changes never ran out');
}

/** Runs `make` for 0..count-1, a few at a time, in order of the results. */
export async function many<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) => make(start + i));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}
