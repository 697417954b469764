/**
 * What users consented to and the credentials issued from it. A grant is one user's consent to one app,
 * holding the Graph and OIDC scopes consented so far; authorization codes, refresh tokens and access tokens
 * all hang off a grant, so revoking a user's grants (as an admin's "revoke sessions" does) kills them all.
 * Refresh tokens rotate: each refresh issues a new one and marks the presented one as replaced.
 */
import type { User } from './directory.ts';
import { secret } from './ids.ts';

export interface Grant {
  user: User;
  clientId: string;
  scopes: Set<string>;
  issuedAt: number;
  revokedAt: number | undefined;
}

export interface AuthorizationCode {
  code: string;
  grant: Grant;
  redirectUri: string;
  /** Scopes asked for in this authorization (a subset of the grant's). */
  scopes: string[];
  nonce: string | undefined;
  challenge: string | undefined;
  challengeMethod: 'S256' | 'plain' | undefined;
  /** The authority path the code was issued at (tenant id, or common/organizations/consumers). */
  authority: string;
  issuedAt: number;
  redeemed: boolean;
}

export interface RefreshToken {
  token: string;
  grant: Grant;
  scopes: string[];
  issuedAt: number;
  lastUsedAt: number;
  /** When it was exchanged for a rotated token. */
  replacedAt: number | undefined;
}

export interface AccessToken {
  grant: Grant;
  scopes: Set<string>;
  expiresAt: number;
}

export interface Grants {
  /** Adds consented scopes to the user's live grant for the app, creating one if needed. */
  consent(user: User, clientId: string, scopes: Iterable<string>, now: number): Grant;
  /** The user's live (unrevoked) grant for the app. */
  live(user: User, clientId: string): Grant | undefined;
  ofUser(user: User): Grant[];
  revokeUser(user: User, now: number): number;
  issueCode(input: Omit<AuthorizationCode, 'code' | 'redeemed'>): string;
  code(code: string): AuthorizationCode | undefined;
  issueRefreshToken(grant: Grant, scopes: string[], now: number): string;
  refreshToken(token: string): RefreshToken | undefined;
  storeAccessToken(token: string, record: AccessToken): void;
  accessToken(token: string): AccessToken | undefined;
  /** The stores themselves (data a snapshot keeps). */
  data: {
    grants: Grant[];
    codes: Map<string, AuthorizationCode>;
    refreshTokens: Map<string, RefreshToken>;
    accessTokens: Map<string, AccessToken>;
  };
  reset(): void;
}

export function createGrants(): Grants {
  const grants: Grant[] = [];
  const codes = new Map<string, AuthorizationCode>();
  const refreshTokens = new Map<string, RefreshToken>();
  const accessTokens = new Map<string, AccessToken>();

  const live = (user: User, clientId: string) =>
    grants.find(
      (grant) => grant.user === user && grant.clientId === clientId && grant.revokedAt === undefined,
    );

  return {
    consent(user, clientId, scopes, now) {
      let grant = live(user, clientId);
      if (!grant) {
        grant = { user, clientId, scopes: new Set(), issuedAt: now, revokedAt: undefined };
        grants.push(grant);
      }
      for (const scope of scopes) grant.scopes.add(scope);
      return grant;
    },
    live,
    ofUser: (user) => grants.filter((grant) => grant.user === user),
    revokeUser(user, now) {
      let count = 0;
      for (const grant of grants) {
        if (grant.user === user && grant.revokedAt === undefined) {
          grant.revokedAt = now;
          count += 1;
        }
      }
      return count;
    },
    issueCode(input) {
      const code = `1.A${secret(48)}`;
      codes.set(code, { ...input, code, redeemed: false });
      return code;
    },
    code: (code) => codes.get(code),
    issueRefreshToken(grant, scopes, now) {
      const token = `1.A${secret(96)}`;
      refreshTokens.set(token, {
        token,
        grant,
        scopes,
        issuedAt: now,
        lastUsedAt: now,
        replacedAt: undefined,
      });
      return token;
    },
    refreshToken: (token) => refreshTokens.get(token),
    storeAccessToken: (token, record) => {
      accessTokens.set(token, record);
    },
    accessToken: (token) => accessTokens.get(token),
    data: { grants, codes, refreshTokens, accessTokens },
    reset() {
      grants.length = 0;
      codes.clear();
      refreshTokens.clear();
      accessTokens.clear();
    },
  };
}
