/**
 * A person at a browser connecting a mailbox: opens the start link (the app, in process), signs in on its
 * page with their access token, reads the provider's consent page (the sandbox, over HTTP), submits its
 * form as a browser would, follows the redirect back to the app's callback carrying the app's cookie,
 * and answers the personal-mailbox question (R8) when the app asks it.
 */
import type { FastifyInstance } from 'fastify';
import type { TestApp } from './app.ts';

export interface ConsentOutcome {
  /** The app's callback answer. */
  status: number;
  html: string;
  /** The callback URL the provider sent the browser to (holds `code`, `state` or `error`). */
  callbackUrl: URL | undefined;
  cookie: string | undefined;
}

/** Follows a start link through sign-in (as the holder of `token`) and consent; `decision` picks the
 * consent button, `email` fills the account field, `personal` answers the personal-mailbox question. */
export async function consent(
  app: FastifyInstance,
  startUrl: string,
  input: {
    token: string;
    email: string;
    decision: 'allow' | 'deny';
    personal?: 'connect' | 'cancel';
    /** Scopes whose checkbox the person unticks on a granular consent screen. */
    untick?: string[];
    beforeCallback?: (callback: URL) => URL | Promise<URL>;
  },
): Promise<ConsentOutcome> {
  const signedIn = await signIn(app, startUrl, input.token);
  if (signedIn.status !== 303 || !signedIn.location)
    return { status: signedIn.status, html: signedIn.html, callbackUrl: undefined, cookie: undefined };
  const { cookie } = signedIn;
  const providerPage = await fetch(signedIn.location, { redirect: 'manual' });
  const pageHtml = await providerPage.text();
  const callbackUrl = await submitConsent(
    pageHtml,
    providerPage.url,
    input.email,
    input.decision,
    input.untick,
  );
  if (!callbackUrl) return { status: providerPage.status, html: pageHtml, callbackUrl: undefined, cookie };
  const finalUrl = input.beforeCallback ? await input.beforeCallback(callbackUrl) : callbackUrl;
  const back = await callback(app, finalUrl, cookie);
  if (!back.html.includes('action="/oauth/confirm"'))
    return { status: back.status, html: back.html, callbackUrl: finalUrl, cookie };
  const confirmed = await confirmPersonal(app, cookie, input.personal ?? 'connect');
  return { ...confirmed, callbackUrl: finalUrl, cookie };
}

/**
 * Opens a start link and submits its sign-in form with `token`, as one browser: answers the app's
 * answer to the form (303 to the provider when signed in) and the binding cookie it set.
 */
export async function signIn(app: FastifyInstance, startUrl: string, token: string) {
  const page = await app.inject({ method: 'GET', url: new URL(startUrl).pathname });
  const form = /<form[^>]*action="\/oauth\/start"[^>]*>([\s\S]*?)<\/form>/.exec(page.body)?.[1];
  if (page.statusCode !== 200 || !form)
    return {
      status: page.statusCode,
      html: page.body,
      location: undefined,
      cookie: undefined,
      headers: page.headers,
    };
  const fields = new URLSearchParams();
  for (const field of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(field[1] ?? '', decodeEntities(field[2] ?? ''));
  fields.set('token', token);
  const posted = await app.inject({
    method: 'POST',
    url: '/oauth/start',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookieOf(page.headers['set-cookie']) ? { cookie: cookieOf(page.headers['set-cookie']) } : {}),
    },
    payload: fields.toString(),
  });
  const location = posted.headers.location;
  return {
    status: posted.statusCode,
    html: posted.body,
    location: typeof location === 'string' ? location : undefined,
    cookie: cookieOf(posted.headers['set-cookie']),
    headers: posted.headers,
  };
}

/** Answers the personal-mailbox question as the browser holding `cookie`. */
export async function confirmPersonal(
  app: FastifyInstance,
  cookie: string | undefined,
  decision: 'connect' | 'cancel',
) {
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/confirm',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    payload: new URLSearchParams({ decision }).toString(),
  });
  return { status: response.statusCode, html: response.body };
}

/** Delivers a provider redirect to the app's callback, as the browser holding `cookie` would. */
export async function callback(app: FastifyInstance, url: URL, cookie: string | undefined) {
  const response = await app.inject({
    method: 'GET',
    url: `${url.pathname}${url.search}`,
    headers: cookie ? { cookie } : {},
  });
  return { status: response.statusCode, html: response.body };
}

/**
 * Fills and submits the first form of a consent page, as a browser submits it (a checkbox only when
 * ticked; `untick` names the values of those the person unticks); answers where the provider redirected.
 */
export async function submitConsent(
  html: string,
  pageUrl: string,
  email: string,
  decision: 'allow' | 'deny',
  untick: string[] = [],
): Promise<URL | undefined> {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[1] || !form[2]) return undefined;
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (!name) continue;
    const type = /type="([^"]+)"/.exec(input[0])?.[1] ?? 'text';
    const value = decodeEntities(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
    if (type === 'checkbox' && (!/\schecked\b/.test(input[0]) || untick.includes(value))) continue;
    fields.set(name, type === 'hidden' ? value : type === 'email' || type === 'text' ? email : value);
  }
  const wanted = decision === 'allow' ? /allow|accept|yes/i : /deny|cancel|return/i;
  for (const button of form[2].matchAll(/<button[^>]*>([\s\S]*?)<\/button>/gi)) {
    const name = /name="([^"]+)"/.exec(button[0])?.[1];
    const value = /value="([^"]*)"/.exec(button[0])?.[1];
    if (name && value !== undefined && (wanted.test(value) || wanted.test(button[1] ?? '')))
      fields.set(name, value);
  }
  const response = await fetch(new URL(decodeEntities(form[1]), pageUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  return location ? new URL(location) : undefined;
}

/** The `name=value` of the first cookie a response sets that is not a clearing one. */
function cookieOf(header: string | string[] | undefined): string | undefined {
  const all = Array.isArray(header) ? header : header ? [header] : [];
  return all.map((line) => line.split(';')[0] ?? '').find((pair) => !pair.endsWith('='));
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
}

/** The person starts connecting (`POST /api/connection`) and allows the consent: the whole round, once. */
export async function connectAllowing(
  world: Pick<TestApp, 'app' | 'call'>,
  person: { token: string; email: string },
): Promise<ConsentOutcome> {
  const started = (await world.call(person.token, 'POST', '/api/connection')).json();
  return consent(world.app, started.url, { token: person.token, email: person.email, decision: 'allow' });
}
