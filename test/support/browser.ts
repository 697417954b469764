/**
 * A person at a browser connecting a mailbox: opens the start link (the app, in process), reads the
 * provider's consent page (the sandbox, over HTTP), submits its form as a browser would, and follows the
 * redirect back to the app's callback, carrying the app's cookie.
 */
import type { FastifyInstance } from 'fastify';

export interface ConsentOutcome {
  /** The app's callback answer. */
  status: number;
  html: string;
  /** The callback URL the provider sent the browser to (holds `code`, `state` or `error`). */
  callbackUrl: URL | undefined;
  cookie: string | undefined;
}

/** Follows a start link through consent; `decision` picks the button, `email` fills the account field. */
export async function consent(
  app: FastifyInstance,
  startUrl: string,
  input: {
    email: string;
    decision: 'allow' | 'deny';
    beforeCallback?: (callback: URL) => URL | Promise<URL>;
  },
): Promise<ConsentOutcome> {
  const start = await app.inject({ method: 'GET', url: new URL(startUrl).pathname });
  if (start.statusCode !== 302)
    return { status: start.statusCode, html: start.body, callbackUrl: undefined, cookie: undefined };
  const cookie = cookieOf(start.headers['set-cookie']);
  const providerPage = await fetch(String(start.headers.location), { redirect: 'manual' });
  const pageHtml = await providerPage.text();
  const callbackUrl = await submitConsent(pageHtml, providerPage.url, input.email, input.decision);
  if (!callbackUrl) return { status: providerPage.status, html: pageHtml, callbackUrl: undefined, cookie };
  const finalUrl = input.beforeCallback ? await input.beforeCallback(callbackUrl) : callbackUrl;
  const back = await callback(app, finalUrl, cookie);
  return { status: back.status, html: back.html, callbackUrl: finalUrl, cookie };
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

/** Fills and submits the first form of a consent page; answers where the provider redirected. */
export async function submitConsent(
  html: string,
  pageUrl: string,
  email: string,
  decision: 'allow' | 'deny',
): Promise<URL | undefined> {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[1] || !form[2]) return undefined;
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (!name) continue;
    const type = /type="([^"]+)"/.exec(input[0])?.[1] ?? 'text';
    const value = decodeEntities(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
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

function cookieOf(header: string | string[] | undefined): string | undefined {
  const first = Array.isArray(header) ? header[0] : header;
  return first?.split(';')[0];
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
}
