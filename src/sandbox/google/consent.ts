/** The HTML pages of the authorize endpoint: the consent screen and Google's "Error 400" page. */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  'https://www.googleapis.com/auth/userinfo.email': 'See your primary Google Account email address',
  'https://www.googleapis.com/auth/userinfo.profile':
    'See your personal info, including any personal info you\u2019ve made publicly available',
  'https://www.googleapis.com/auth/gmail.readonly': 'View your email messages and settings',
  'https://www.googleapis.com/auth/gmail.metadata':
    'View your email message metadata such as labels and headers, but not the email body',
  'https://www.googleapis.com/auth/gmail.modify': 'Read, compose, and send emails from your Gmail account',
  'https://mail.google.com/': 'Read, compose, send, and permanently delete all your email from Gmail',
  'https://www.googleapis.com/auth/calendar':
    'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  'https://www.googleapis.com/auth/calendar.events': 'View and edit events on all your calendars',
  'https://www.googleapis.com/auth/calendar.freebusy':
    'See the availability on Google Calendars you have access to',
};

/** Sign-in scopes Google's consent screen always grants; every other scope has its own checkbox. */
export const IDENTITY_SCOPES = new Set([
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/userinfo.profile',
]);

/**
 * The consent screen: the app, the scopes it asks for, who signs in (prefilled by `login_hint`), Allow /
 * Deny. As on Google's granular consent screen, each scope beyond sign-in has a checkbox, ticked at first,
 * that the user may untick: only the ticked ones are granted. Each checkbox has its own name (`grant_N`),
 * and `granular` tells a form from this page apart from one posted without it (all scopes granted).
 */
export function consentPage(input: {
  action: string;
  pendingId: string;
  clientId: string;
  scopes: string[];
  email: string;
  error?: string | undefined;
}): string {
  const scopes = input.scopes
    .map((scope, index) => {
      const text = `<span class="scope">${escapeHtml(scope)}</span> ${escapeHtml(SCOPE_TEXT[scope] ?? '')}`;
      return IDENTITY_SCOPES.has(scope)
        ? `<li>${text}</li>`
        : `<li><label><input type="checkbox" name="grant_${index}" value="${escapeHtml(scope)}" checked> ${text}</label></li>`;
    })
    .join('');
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts (sandbox)</title></head>
<body>
<h1>Sign in with Google (sandbox)</h1>
<p><b>${escapeHtml(input.clientId)}</b> wants access to your Google Account</p>
${error}
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="pending" value="${escapeHtml(input.pendingId)}">
<input type="hidden" name="granular" value="1">
<label>Account <input type="email" name="email" value="${escapeHtml(input.email)}" required></label>
<p>This will allow the app to:</p>
<ul>${scopes}</ul>
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</form>
</body></html>`;
}

/** Google's error page for a request it will not redirect (unknown client, unregistered redirect URI, …). */
export function errorPage(status: number, error: string, detail: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error ${status} (OAuth sandbox)</title></head>
<body>
<h1>Access blocked: Authorization Error</h1>
<p>Error ${status}: ${escapeHtml(error)}</p>
<p>${escapeHtml(detail)}</p>
</body></html>`;
}
