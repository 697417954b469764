/**
 * OAuth state: registered clients, the grants users gave them, authorization codes, and the access and
 * refresh tokens issued under each grant. Revoking a grant (the revoke endpoint with either token, or the
 * control API) kills every token issued under it, as Google's "Revoking a token" section describes.
 */
import { randomBytes } from 'node:crypto';

export interface Client {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface Grant {
  id: number;
  email: string;
  clientId: string;
  scopes: Set<string>;
  revoked: boolean;
  /** Whether a refresh token was ever issued under this grant ("first offline consent"). */
  refreshIssued: boolean;
  createdAt: number;
}

/** An authorize request waiting on the consent page. */
export interface PendingConsent {
  client: Client;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  offline: boolean;
  forceConsent: boolean;
  includeGranted: boolean;
  nonce: string | undefined;
  challenge: string | undefined;
  challengeMethod: 'S256' | 'plain';
  loginHint: string;
}

export interface AuthCode {
  grant: Grant;
  scopes: string[];
  redirectUri: string;
  challenge: string | undefined;
  challengeMethod: 'S256' | 'plain';
  nonce: string | undefined;
  issueRefresh: boolean;
  expiresAt: number;
  used: boolean;
}

export interface IssuedToken {
  grant: Grant;
  scopes: string[];
  /** Access tokens only. */
  expiresAt?: number;
}

export interface Grants {
  clients: Map<string, Client>;
  pending: Map<string, PendingConsent>;
  codes: Map<string, AuthCode>;
  access: Map<string, IssuedToken>;
  refresh: Map<string, IssuedToken>;
  /** Every grant given, revoked ones included, and the next grant id (data a snapshot keeps). */
  list: Grant[];
  sequence: { next: number };
  /** The user's live grant to a client, created if there is none. */
  grantFor(email: string, clientId: string, now: number): Grant;
  grantsOf(email: string): Grant[];
  revokeUser(email: string): number;
  reset(): void;
}

/** A fresh opaque token with Google's recognisable prefix (`ya29.` access, `1//` refresh, `4/0` code). */
export function newToken(prefix: string, bytes = 48): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** Empty OAuth state. */
export function createGrants(): Grants {
  const clients = new Map<string, Client>();
  const pending = new Map<string, PendingConsent>();
  const codes = new Map<string, AuthCode>();
  const access = new Map<string, IssuedToken>();
  const refresh = new Map<string, IssuedToken>();
  const grants: Grant[] = [];
  const sequence = { next: 1 };
  return {
    clients,
    pending,
    codes,
    access,
    refresh,
    list: grants,
    sequence,
    grantFor(email, clientId, now) {
      let grant = grants.find(
        (entry) => entry.email === email && entry.clientId === clientId && !entry.revoked,
      );
      if (!grant) {
        grant = {
          id: sequence.next++,
          email,
          clientId,
          scopes: new Set(),
          revoked: false,
          refreshIssued: false,
          createdAt: now,
        };
        grants.push(grant);
      }
      return grant;
    },
    grantsOf: (email) => grants.filter((grant) => grant.email === email),
    revokeUser(email) {
      let count = 0;
      for (const grant of grants) {
        if (grant.email === email && !grant.revoked) {
          grant.revoked = true;
          count += 1;
        }
      }
      return count;
    },
    reset() {
      clients.clear();
      pending.clear();
      codes.clear();
      access.clear();
      refresh.clear();
      grants.length = 0;
    },
  };
}

const ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/**
 * Normalises a requested scope list: Google answers `email`/`profile` with their full URLs in the token
 * response's `scope`. Returns undefined when a scope is not one Google would recognise.
 */
export function normaliseScopes(scope: string): string[] | undefined {
  const scopes = scope.split(/[\s+]+/).filter(Boolean);
  const out: string[] = [];
  for (const item of scopes) {
    const full = ALIASES[item] ?? item;
    const known =
      full === 'openid' ||
      full === 'https://mail.google.com/' ||
      /^https:\/\/www\.googleapis\.com\/auth\/[\w.]+$/.test(full);
    if (!known) return undefined;
    if (!out.includes(full)) out.push(full);
  }
  return out;
}
