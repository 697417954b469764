/**
 * The HTML the sign-in endpoints show: a consent page (who signs in, which permissions, Accept / Cancel),
 * Entra ID's "Need admin approval" page, error pages for requests that cannot be redirected, and the
 * self-submitting form of `response_mode=form_post`. Plain forms, so a test can submit them with `fetch`
 * as a browser would.
 */
import { GRAPH_PERMISSIONS } from './scopes.ts';

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body>\n${body}\n</body></html>\n`;

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');

export interface ConsentPageInput {
  action: string;
  clientId: string;
  /** Graph permissions and OIDC scopes asked for. */
  scopes: string[];
  /** The request's parameters, carried through the form. */
  fields: Record<string, string>;
  login: string;
  error?: string | undefined;
  /** Consent for the whole organization (the admin consent endpoint). */
  organization?: boolean;
}

/** The sign-in and consent page. */
export function consentPage(input: ConsentPageInput): string {
  const items = input.scopes
    .map(
      (scope) =>
        `<li data-scope="${escapeHtml(scope)}">${escapeHtml(GRAPH_PERMISSIONS[scope] ?? scope)} (${escapeHtml(scope)})</li>`,
    )
    .join('\n');
  return page(
    'Permissions requested',
    `<h1>Permissions requested${input.organization ? ' — accept for your organization' : ''}</h1>\n` +
      `<p>${escapeHtml(input.clientId)} needs your permission to:</p>\n<ul>\n${items}\n</ul>\n` +
      (input.error ? `<p role="alert">${escapeHtml(input.error)}</p>\n` : '') +
      `<form method="post" action="${escapeHtml(input.action)}">\n${hidden(input.fields)}\n` +
      `<label>Sign in as <input type="email" name="login" value="${escapeHtml(input.login)}" required></label>\n` +
      '<button type="submit" name="decision" value="accept">Accept</button>\n' +
      '<button type="submit" name="decision" value="cancel">Cancel</button>\n</form>',
  );
}

/** Entra ID's page for a user whose organization lets only admins consent. */
export function adminApprovalPage(input: {
  action: string;
  clientId: string;
  fields: Record<string, string>;
  login: string;
}): string {
  return page(
    'Need admin approval',
    `<h1>Need admin approval</h1>\n<p>${escapeHtml(input.clientId)} needs permission to access resources in ` +
      'your organization that only an admin can grant. Please ask an admin to grant permission to this app ' +
      'before you can use it.</p>\n' +
      `<form method="post" action="${escapeHtml(input.action)}">\n${hidden(input.fields)}\n` +
      `<input type="hidden" name="login" value="${escapeHtml(input.login)}">\n` +
      '<button type="submit" name="decision" value="return">Return to the application without consenting</button>\n' +
      '</form>',
  );
}

/** An error the sign-in service shows itself, because the request cannot be sent back to the app. */
export function errorPage(description: string): string {
  return page(
    'Sign in to your account',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>\n<p>${escapeHtml(description)}</p>`,
  );
}

/** `response_mode=form_post`: a form that posts the response to the redirect URI. */
export function formPostPage(redirectUri: string, params: Record<string, string>): string {
  return page(
    'Working...',
    `<form method="post" name="hiddenform" action="${escapeHtml(redirectUri)}">\n${hidden(params)}\n` +
      '<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>\n' +
      '</form>\n<script>document.forms[0].submit();</script>',
  );
}
