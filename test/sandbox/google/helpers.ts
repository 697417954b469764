/** Shared steps of the Google sandbox tests: a client, a user, a signed-in token, official API clients. */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { calendar } from '@googleapis/calendar';
import { auth, gmail } from '@googleapis/gmail';
import type { Sandbox } from '../../../src/sandbox/server.ts';
import type { ControlClient } from '../../support/sandbox.ts';

export type TestSandbox = Sandbox & { control: ControlClient };

export const CLIENT = {
  clientId: 'talentsync-test.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-test-secret',
};
/** The client's credentials as token-endpoint form fields (client_secret_post). */
export const CLIENT_FORM = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
export const REDIRECT = 'http://127.0.0.1:9/oauth/google/callback';
export const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
export const GMAIL_METADATA = 'https://www.googleapis.com/auth/gmail.metadata';
export const CALENDAR_EVENTS = 'https://www.googleapis.com/auth/calendar.events';
export const CALENDAR_FREEBUSY = 'https://www.googleapis.com/auth/calendar.freebusy';

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
  expires_in: number;
}

let users = 0;

/** Registers the test OAuth client (idempotent). */
export async function registerClient(sandbox: TestSandbox): Promise<void> {
  await sandbox.control.post('/google/clients', { ...CLIENT, redirectUris: [REDIRECT] });
}

/** Creates a fresh sandbox user on a domain; answers its address. */
export async function newUser(sandbox: TestSandbox, domain = 'acme.example'): Promise<string> {
  users += 1;
  const email = `user${users}-${randomBytes(3).toString('hex')}@${domain}`;
  await sandbox.control.post('/google/users', { email, name: `User ${users}` });
  return email;
}

/** The consent page's pending id for an authorize URL. */
export async function openConsent(
  url: string,
): Promise<{ status: number; html: string; pending: string | undefined }> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  return { status: response.status, html, pending: /name="pending" value="([^"]+)"/.exec(html)?.[1] };
}

/** Posts the consent form as a browser would; answers the redirect's URL (or undefined when none). */
export async function decide(
  sandbox: TestSandbox,
  pending: string,
  email: string,
  decision: 'allow' | 'deny',
): Promise<URL | undefined> {
  const response = await fetch(`${sandbox.url}/google/o/oauth2/v2/auth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ pending, email, decision }).toString(),
  });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  return location ? new URL(location) : undefined;
}

/** Signs a user in with PKCE through the consent page and the token endpoint; answers the token response. */
export async function signIn(
  sandbox: TestSandbox,
  email: string,
  scopes: string[],
  extra: Record<string, string> = {},
): Promise<Tokens> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${sandbox.url}/google/o/oauth2/v2/auth`);
  url.search = new URLSearchParams({
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: scopes.join(' '),
    access_type: 'offline',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    login_hint: email,
    ...extra,
  }).toString();
  const { pending } = await openConsent(url.href);
  const back = await decide(sandbox, pending ?? '', email, 'allow');
  const code = back?.searchParams.get('code') ?? '';
  const response = await fetch(`${sandbox.url}/google/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      ...CLIENT_FORM,
    }).toString(),
  });
  if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
  return (await response.json()) as Tokens;
}

/** The official Gmail client, authorised by an OAuth2 client that refreshes against the sandbox. */
export function gmailClient(
  sandbox: TestSandbox,
  tokens: { access_token: string; refresh_token?: string; expires_in?: number },
) {
  const oauth = new auth.OAuth2({
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    endpoints: {
      oauth2TokenUrl: `${sandbox.url}/google/token`,
      oauth2RevokeUrl: `${sandbox.url}/google/revoke`,
    },
  });
  oauth.setCredentials({
    access_token: tokens.access_token,
    ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
  });
  return { api: gmail({ version: 'v1', auth: oauth, rootUrl: `${sandbox.url}/` }), oauth };
}

/** The official Calendar client with a bearer token. */
export function calendarClient(sandbox: TestSandbox, accessToken: string) {
  const oauth = new auth.OAuth2({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret });
  oauth.setCredentials({ access_token: accessToken });
  return calendar({ version: 'v3', auth: oauth, rootUrl: `${sandbox.url}/` });
}

/** Calls a Google API path with a bearer token and answers status, headers and JSON body. */
export async function call(
  sandbox: TestSandbox,
  token: string | undefined,
  path: string,
  init: RequestInit = {},
) {
  const response = await fetch(`${sandbox.url}/google${path}`, {
    ...init,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The status and Google error body an official client's rejection carries. */
export async function failure(promise: Promise<unknown>): Promise<{
  status: number;
  body: {
    error: {
      code: number;
      message: string;
      status?: string;
      errors: { reason: string; domain: string }[];
      details?: unknown[];
    };
  };
  headers: Record<string, string>;
}> {
  try {
    await promise;
  } catch (error) {
    const response = (
      error as { response?: { status: number; data: unknown; headers: Headers | Record<string, string> } }
    ).response;
    if (!response) throw error;
    const headers =
      response.headers instanceof Headers ? Object.fromEntries(response.headers.entries()) : response.headers;
    return { status: response.status, body: response.data as never, headers };
  }
  throw new Error('expected the call to fail');
}

/** A local HTTP endpoint collecting pushes (the app's /webhooks/google). */
export async function pushReceiver(status = 204) {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/google`, received };
}
