/**
 * Scopes as the identity platform reads them: OpenID Connect scopes (`openid`, `profile`, `email`,
 * `offline_access`) and Microsoft Graph delegated permissions, written either in full
 * (`https://graph.microsoft.com/Mail.Read`) or short (`Mail.Read`, Graph being the default resource),
 * case-insensitively ("Scopes and permissions in the Microsoft identity platform").
 */

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The Graph permissions the sandbox knows, with the text a consent page shows for each. */
export const GRAPH_PERMISSIONS: Record<string, string> = {
  'User.Read': 'Sign you in and read your profile',
  'User.ReadBasic.All': "Read all users' basic profiles",
  'Mail.ReadBasic': 'Read basic mail in your mailbox',
  'Mail.Read': 'Read your mail',
  'Mail.ReadWrite': 'Read and write access to your mail',
  'Mail.Send': 'Send mail as you',
  'Calendars.Read': 'Read your calendars',
  'Calendars.ReadWrite': 'Have full access to your calendars',
};
const OIDC = ['openid', 'profile', 'email', 'offline_access'] as const;
const CANONICAL = new Map(Object.keys(GRAPH_PERMISSIONS).map((name) => [name.toLowerCase(), name]));

export interface ScopeRequest {
  /** Canonical Graph permission names, e.g. `Mail.Read`. */
  graph: string[];
  /** OIDC scopes, lower case. */
  oidc: string[];
  /** `https://graph.microsoft.com/.default` was asked for: every permission already consented. */
  dotDefault: boolean;
  /** Values that name no known scope (the first one goes into AADSTS70011). */
  invalid: string[];
}

/** Parses a space-separated `scope` parameter. */
export function parseScopes(value: string): ScopeRequest {
  const request: ScopeRequest = { graph: [], oidc: [], dotDefault: false, invalid: [] };
  for (const raw of value.split(/\s+/).filter(Boolean)) {
    const lower = raw.toLowerCase();
    if ((OIDC as readonly string[]).includes(lower)) {
      if (!request.oidc.includes(lower)) request.oidc.push(lower);
      continue;
    }
    let name = lower;
    for (const prefix of [`${GRAPH_RESOURCE}/`, `${GRAPH_APP_ID}/`]) {
      if (lower.startsWith(prefix)) name = lower.slice(prefix.length);
    }
    if (name === '.default' && name !== lower) {
      request.dotDefault = true;
      continue;
    }
    const canonical = CANONICAL.get(name);
    if (canonical === undefined || (name === lower && lower.includes('/'))) request.invalid.push(raw);
    else if (!request.graph.includes(canonical)) request.graph.push(canonical);
  }
  return request;
}

/**
 * The `scope` a token response reports: Graph permissions by their short names (Graph is the default
 * resource, and Entra reports its permissions without the resource prefix), then the OIDC scopes granted.
 */
export function formatScopes(scopes: Iterable<string>): string {
  const list = [...scopes];
  return [
    ...list.filter((scope) => CANONICAL.has(scope.toLowerCase())),
    ...OIDC.filter((scope) => list.includes(scope)),
  ].join(' ');
}

/** Whether a token's scopes include any of the permissions an operation accepts. */
export function allows(granted: ReadonlySet<string>, anyOf: readonly string[]): boolean {
  return anyOf.some((scope) => granted.has(scope));
}

/** Permissions each kind of Graph operation accepts, least privileged first (Graph permissions reference). */
export const REQUIRES = {
  profile: ['User.Read', 'User.ReadBasic.All'],
  readFolders: ['Mail.ReadBasic', 'Mail.Read', 'Mail.ReadWrite'],
  readMail: ['Mail.Read', 'Mail.ReadWrite'],
  writeMail: ['Mail.ReadWrite'],
  readCalendar: ['Calendars.Read', 'Calendars.ReadWrite'],
  writeCalendar: ['Calendars.ReadWrite'],
} as const;
