/**
 * What the Microsoft conformance tests share: a sandbox with a registered app, the sign-in a browser
 * would do (authorize page → consent form → redirect → token), the official Graph client pointed at the
 * sandbox, and a local webhook endpoint that answers Graph's validation handshake and records what
 * arrives.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { Client } from '@microsoft/microsoft-graph-client';
import type { MicrosoftOptions } from '../../../src/sandbox/microsoft/index.ts';
import { testSandbox } from '../../support/sandbox.ts';
import { startTlsProxy, trustedCertificate } from './tls.ts';

export const APP = {
  clientId: '11112222-bbbb-3333-cccc-4444dddd5555',
  clientSecret: 'sandbox~secret.value',
  redirectUris: ['https://talentsync.test/auth/microsoft/callback'],
};
export const REDIRECT_URI = APP.redirectUris[0] as string;
export const MAIL_SCOPES =
  'openid profile email offline_access https://graph.microsoft.com/Mail.ReadWrite User.Read Calendars.ReadWrite';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on their fields.
export type Json = any;

/** A response body as JSON, for assertions. */
export async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

export type MicrosoftSandbox = Awaited<ReturnType<typeof microsoftSandbox>>;

/** A sandbox with the test app registered; `https` puts it behind TLS for the Graph client. */
export async function microsoftSandbox(options: { microsoft?: MicrosoftOptions; https?: boolean } = {}) {
  const proxy = options.https ? await startTlsProxy() : undefined;
  if (proxy) after(() => proxy.close());
  const sandbox = await testSandbox({
    ...(options.microsoft ? { microsoft: options.microsoft } : {}),
    ...(proxy ? { publicUrl: proxy.url } : {}),
  });
  proxy?.forwardTo((sandbox.app.server.address() as AddressInfo).port);
  await sandbox.control.post('/microsoft/clients', APP);
  return sandbox;
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The form on an HTML page: where it posts and its hidden fields, as a browser would submit them. */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const decode = (value: string) =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the page:\n${html}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields[decode(match[1] ?? '')] = decode(match[2] ?? '');
  }
  return { action: decode(action), fields };
}

/** Posts a form without following the redirect. */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
  expires_in: number;
}

/** Signs a user in through the consent page and redeems the code, as an app's callback would. */
export async function signIn(
  sandbox: MicrosoftSandbox,
  email: string,
  options: { scope?: string; tenant?: string; prefer?: string } = {},
): Promise<TokenResponse> {
  const { verifier, challenge } = pkce();
  const tenant = options.tenant ?? 'common';
  const authorize = new URL(`${sandbox.url}/microsoft/login/${tenant}/oauth2/v2.0/authorize`);
  for (const [name, value] of Object.entries({
    client_id: APP.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: options.scope ?? MAIL_SCOPES,
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    login_hint: email,
  })) {
    authorize.searchParams.set(name, value);
  }
  const page = await fetch(authorize);
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${await page.text()}`);
  const form = readForm(await page.text());
  const decision = await postForm(form.action, { ...form.fields, login: email, decision: 'accept' });
  const location = new URL(decision.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.href}`);
  const response = await fetch(`${sandbox.url}/microsoft/login/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`token answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as TokenResponse;
}

/** Exchanges a refresh token, as an app does when its access token has expired. */
export async function refreshTokens(sandbox: MicrosoftSandbox, refreshToken: string): Promise<TokenResponse> {
  const response = await fetch(`${sandbox.url}/microsoft/login/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    }),
  });
  if (!response.ok) throw new Error(`token answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as TokenResponse;
}

/** The official Graph client, unchanged but for its base URL (and the sandbox host named as a Graph host). */
export function graphClient(sandbox: MicrosoftSandbox, accessToken: string): Client {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: `${sandbox.url}/microsoft/graph/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(sandbox.url).hostname]),
  });
}

/** Calls Graph with plain fetch, for checking raw statuses and headers. */
export function graphFetch(
  sandbox: MicrosoftSandbox,
  token: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${sandbox.url}/microsoft/graph/v1.0/${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
}

export interface Delivery {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  /** Notifications (not validation requests) received, in order. */
  received: Delivery[];
  validations: Delivery[];
  /** How validation requests are answered. */
  mode: 'echo' | 'wrong' | 'slow' | 'error';
  /** Resolves once `count` notifications have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Delivery[]>;
}

const servers = new Set<http.Server | https.Server>();
// Registered when the test file loads, so endpoints opened inside tests live until the file's tests end.
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * A webhook endpoint on a free port, closed after the file's tests: plain http (which the sandbox takes
 * only with `allowHttpNotificationUrls`), or `https` with a self-signed certificate this process trusts.
 */
export async function receiver(options: { https?: boolean } = {}): Promise<Receiver> {
  const state: Receiver = {
    url: '',
    received: [],
    validations: [],
    mode: 'echo',
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (state.received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} notifications, got ${state.received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return state.received;
    },
  };
  const handler: http.RequestListener = (request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const token = url.searchParams.get('validationToken');
      const delivery = { url: request.url ?? '', headers: request.headers, body };
      if (token === null) {
        state.received.push(delivery);
        response.writeHead(202).end();
        return;
      }
      state.validations.push(delivery);
      if (state.mode === 'slow')
        return void setTimeout(
          () => response.writeHead(200, { 'content-type': 'text/plain' }).end(token),
          1500,
        );
      if (state.mode === 'error') return void response.writeHead(500).end();
      response
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(state.mode === 'wrong' ? 'not the token' : token);
    });
  };
  let server: http.Server | https.Server;
  if (options.https) {
    const { key, cert } = trustedCertificate();
    server = https.createServer({ key, cert }, handler);
  } else server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.add(server);
  const scheme = options.https ? 'https' : 'http';
  state.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/notifications`;
  return state;
}
