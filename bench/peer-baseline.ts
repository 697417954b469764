/**
 * What the `peer`, `fetch` and `quota` stages share: realistic mail delivered in bulk, the sandbox's
 * counters read per mailbox, and the peer — a sync written the way open-source CRMs write it with the
 * providers' OFFICIAL clients (`@googleapis/gmail`, `@microsoft/microsoft-graph-client`), signed in
 * through the sandbox's consent pages as any app would be.
 *
 * The peer lists what changed and then downloads every message whole:
 * - Gmail: `users.history.list` from the historyId it took before the mail arrived (the client's default
 *   page size), then `users.messages.get` with `format=full` for every message added, 10 at a time (the
 *   Node client has no batch; a CRM runs a handful of gets in parallel).
 * - Graph: a delta round over the Inbox (`$select=id`, pages of 200 like ours), then
 *   `GET /me/messages/{id}` — every default property, the body among them — 4 at a time, Outlook's limit
 *   of concurrent requests per mailbox.
 * It stores nothing: its time is the provider's side of the work only, which flatters it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { auth, gmail } from '@googleapis/gmail';
import { Client } from '@microsoft/microsoft-graph-client';
import pLimit from 'p-limit';
import type { Provider } from '../src/providers/types.ts';
import type { ControlClient } from '../test/support/sandbox.ts';

export const PEER_CLIENTS = {
  google: { clientId: 'peer-crm.apps.googleusercontent.com', clientSecret: 'peer-google-secret' },
  microsoft: { clientId: '5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f', clientSecret: 'peer-microsoft-secret' },
};
const PEER_REDIRECT = 'https://peer-crm.example/oauth/callback';

export interface Spent {
  /** Gmail quota units / Graph requests (every request counted, a `$batch` and each item in it). */
  units: number;
  calls: number;
  bytes: number;
  rows: { method: string; calls: number; units: number; bytes: number }[];
}

/** What the sandbox counted for one mailbox since the counters were last zeroed. */
export async function spent(control: ControlClient, provider: Provider, email: string): Promise<Spent> {
  const { rows } = await control.get<{ rows: Spent['rows'] }>(
    `/counters?provider=${provider}&user=${encodeURIComponent(email)}`,
  );
  // Token requests are the sign-in's, not sync's.
  const api = rows.filter((row) => row.method !== 'oauth.token');
  const calls = api.reduce((sum, row) => sum + row.calls, 0);
  return {
    units: provider === 'google' ? api.reduce((sum, row) => sum + row.units, 0) : calls,
    calls,
    bytes: api.reduce((sum, row) => sum + row.bytes, 0),
    rows: api,
  };
}

/** Zeroes the counters and forgets which bodies the mailbox served, before a client is measured. */
export async function zero(control: ControlClient, provider: Provider, email: string): Promise<void> {
  await control.del('/counters');
  await control.del(`/${provider}/mailboxes/${encodeURIComponent(email)}/body-reads`);
}

/** Ids of the messages whose content the mailbox served since `zero`. */
export async function bodyReads(control: ControlClient, provider: Provider, email: string) {
  const { ids } = await control.get<{ ids: string[] }>(
    `/${provider}/mailboxes/${encodeURIComponent(email)}/body-reads`,
  );
  return new Set(ids);
}

const WORDS =
  'thanks for the update about the role we would like to schedule a call next week with the hiring team please find the details below and let me know which time works best for you regards'.split(
    ' ',
  );

/** Deterministic prose of about `bytes` characters, wrapped at 72 columns. */
function prose(seed: number, bytes: number): string {
  const lines: string[] = [];
  let line = '';
  let total = 0;
  for (let i = 0; total < bytes; i += 1) {
    const word = WORDS[(seed * 7 + i * 13) % WORDS.length] as string;
    if (line.length + word.length + 1 > 72) {
      lines.push(line);
      total += line.length + 2;
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\r\n');
}

/**
 * One delivered message as RFC 5322 bytes: a person-to-person mail of about 14 KB, a 2 KB plain-text part
 * and its 11 KB HTML alternative (styled paragraphs, a quoted reply, a signature table), no attachment.
 * Built here, not by the sandbox's composer, so that tens of thousands are delivered in seconds.
 */
export function realisticMail(index: number, from: string, to: string, date: Date): string {
  const boundary = `b_${index.toString(36)}_${randomBytes(6).toString('hex')}`;
  const text = prose(index, 2000);
  const paragraphs = prose(index + 1, 4200)
    .split('\r\n')
    .map(
      (line) =>
        `<p style="margin:0 0 12px 0;font-family:Calibri,Arial,sans-serif;font-size:11pt">${line}</p>`,
    )
    .join('\r\n');
  const quoted = prose(index + 2, 1200);
  const html = [
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>',
    '<body style="font-family:Calibri,Arial,sans-serif;font-size:11pt;color:#1f1f1f">',
    paragraphs,
    '<div style="border-top:1px solid #e1e1e1;padding-top:8px;margin-top:16px;color:#5f5f5f">',
    `<blockquote style="margin:0 0 0 8px;border-left:2px solid #cccccc;padding-left:8px">${quoted}</blockquote>`,
    '</div>',
    '<table cellpadding="0" cellspacing="0" style="font-family:Arial,sans-serif;font-size:9pt;color:#5f5f5f">',
    '<tr><td style="padding-right:12px"><b>Sam Sender</b><br>Talent Partner</td>',
    '<td style="border-left:1px solid #cccccc;padding-left:12px">+44 20 7946 0000<br>',
    '<a href="https://elsewhere.example" style="color:#0b57d0">elsewhere.example</a></td></tr></table>',
    '</body></html>',
  ].join('\r\n');
  const domain = from.slice(from.indexOf('@') + 1);
  return [
    `From: Sam Sender <${from}>`,
    `To: Rex Recruiter <${to}>`,
    `Subject: Following up on the role (${index})`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${index}.${randomBytes(8).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/**
 * Delivers `count` realistic messages into a mailbox through the control API's `deliver-many`, one in
 * `candidateEvery` from `candidate`; answers the delivered ids and which of them are the candidate's.
 */
export async function deliverMail(
  control: ControlClient,
  provider: Provider,
  email: string,
  options: { count: number; candidate: string; candidateEvery: number; progress?: (done: number) => void },
): Promise<{ ids: string[]; candidates: Set<string>; others: Set<string> }> {
  const ids: string[] = [];
  const candidates = new Set<string>();
  const others = new Set<string>();
  const chunk = 500;
  const date = new Date();
  for (let start = 0; start < options.count; start += chunk) {
    const messages = [];
    const end = Math.min(options.count, start + chunk);
    for (let i = start; i < end; i += 1) {
      const from = i % options.candidateEvery === 0 ? options.candidate : `sender-${i}@elsewhere.example`;
      messages.push({ raw: Buffer.from(realisticMail(i, from, email, date)).toString('base64') });
    }
    const answer = await control.post<{ messages: { id: string }[] }>(
      `/${provider}/mailboxes/${encodeURIComponent(email)}/deliver-many`,
      { messages },
    );
    answer.messages.forEach((message, offset) => {
      ids.push(message.id);
      ((start + offset) % options.candidateEvery === 0 ? candidates : others).add(message.id);
    });
    options.progress?.(end);
  }
  return { ids, candidates, others };
}

/** Registers the peer's OAuth apps with the sandbox. */
export async function registerPeer(control: ControlClient): Promise<void> {
  for (const provider of ['google', 'microsoft'] as const)
    await control.post(`/${provider}/clients`, {
      ...PEER_CLIENTS[provider],
      redirectUris: [PEER_REDIRECT],
    });
}

/** The peer's sign-in: the consent page a user allows, the code redeemed with PKCE; the access token. */
export async function peerToken(sandboxUrl: string, provider: Provider, email: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const client = PEER_CLIENTS[provider];
  const query = {
    client_id: client.clientId,
    redirect_uri: PEER_REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    login_hint: email,
    state: 'peer',
  };
  let location: string | null;
  let tokenUrl: string;
  if (provider === 'google') {
    const authorize = new URL(`${sandboxUrl}/google/o/oauth2/v2/auth`);
    authorize.search = new URLSearchParams({
      ...query,
      scope: 'openid email https://www.googleapis.com/auth/gmail.readonly',
      access_type: 'offline',
    }).toString();
    const page = await (await fetch(authorize, { redirect: 'manual' })).text();
    const pending = /name="pending" value="([^"]+)"/.exec(page)?.[1];
    if (!pending) throw new Error('peer sign-in: no Google consent form');
    const decided = await fetch(`${sandboxUrl}/google/o/oauth2/v2/auth/consent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pending, email, decision: 'allow' }),
    });
    await decided.arrayBuffer();
    location = decided.headers.get('location');
    tokenUrl = `${sandboxUrl}/google/token`;
  } else {
    const authorize = new URL(`${sandboxUrl}/microsoft/login/common/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      ...query,
      scope: 'openid profile email offline_access https://graph.microsoft.com/Mail.Read',
    }).toString();
    const page = await (await fetch(authorize)).text();
    const decodeEntities = (value: string) =>
      value
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const action = /<form[^>]*action="([^"]*)"/.exec(page)?.[1];
    if (!action) throw new Error('peer sign-in: no Microsoft sign-in form');
    const fields: Record<string, string> = {};
    for (const match of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
      fields[decodeEntities(match[1] ?? '')] = decodeEntities(match[2] ?? '');
    const decided = await fetch(decodeEntities(action), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, login: email, decision: 'accept' }),
    });
    await decided.arrayBuffer();
    location = decided.headers.get('location');
    tokenUrl = `${sandboxUrl}/microsoft/login/common/oauth2/v2.0/token`;
  }
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`peer sign-in (${provider}): no code in ${location}`);
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: PEER_REDIRECT,
      code_verifier: verifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  if (!response.ok) throw new Error(`peer token (${provider}): ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The peer for one mailbox: `prepare` before the mail arrives, `sync` after; answers the ids it fetched. */
export interface Peer {
  prepare(): Promise<void>;
  sync(): Promise<number>;
}

/** The Gmail peer (see the file's comment). */
export function gmailPeer(sandboxUrl: string, token: string): Peer {
  const oauth = new auth.OAuth2({ clientId: PEER_CLIENTS.google.clientId });
  oauth.setCredentials({ access_token: token });
  // The official client resolves method paths against the root (the sandbox serves Gmail there too).
  const api = gmail({ version: 'v1', auth: oauth, rootUrl: `${sandboxUrl}/` });
  let startHistoryId = '';
  return {
    async prepare() {
      const profile = await api.users.getProfile({ userId: 'me' });
      startHistoryId = profile.data.historyId ?? '';
    },
    async sync() {
      const ids = new Set<string>();
      let pageToken: string | undefined;
      do {
        const page = await api.users.history.list({
          userId: 'me',
          startHistoryId,
          historyTypes: ['messageAdded'],
          ...(pageToken ? { pageToken } : {}),
        });
        for (const record of page.data.history ?? [])
          for (const added of record.messagesAdded ?? []) if (added.message?.id) ids.add(added.message.id);
        pageToken = page.data.nextPageToken ?? undefined;
      } while (pageToken);
      const limit = pLimit(10);
      await Promise.all(
        [...ids].map((id) =>
          limit(async () => {
            const message = await api.users.messages.get({ userId: 'me', id, format: 'full' });
            if (!message.data.payload) throw new Error(`peer: no payload for ${id}`);
          }),
        ),
      );
      return ids.size;
    },
  };
}

/** The Graph peer (see the file's comment). */
export function graphPeer(sandboxUrl: string, token: string): Peer {
  const client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${sandboxUrl}/microsoft/graph/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(sandboxUrl).hostname]),
  });
  let deltaLink = '';
  // One delta round from `start`: every page through its nextLink; answers the ids and the deltaLink.
  const round = async (start: string) => {
    const ids = new Set<string>();
    let link: string | undefined = start;
    let last = '';
    while (link) {
      const page: { value: { id: string }[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string } =
        await client.api(link).header('Prefer', 'odata.maxpagesize=200').get();
      for (const message of page.value) ids.add(message.id);
      link = page['@odata.nextLink'];
      last = page['@odata.deltaLink'] ?? last;
    }
    return { ids, deltaLink: last };
  };
  return {
    async prepare() {
      ({ deltaLink } = await round('/me/mailFolders/inbox/messages/delta?$select=id'));
    },
    async sync() {
      const { ids, deltaLink: next } = await round(deltaLink);
      deltaLink = next;
      const limit = pLimit(4);
      await Promise.all(
        [...ids].map((id) =>
          limit(async () => {
            const message = await client.api(`/me/messages/${encodeURIComponent(id)}`).get();
            if (!message.body) throw new Error(`peer: no body for ${id}`);
          }),
        ),
      );
      return ids.size;
    },
  };
}

export function peerOf(provider: Provider, sandboxUrl: string, token: string): Peer {
  return provider === 'google' ? gmailPeer(sandboxUrl, token) : graphPeer(sandboxUrl, token);
}
