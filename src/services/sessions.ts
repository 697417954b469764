/**
 * Browser sessions and single sign-on (issue 11).
 *
 * Sign-in is OpenID Connect's authorization code flow against the company's identity provider
 * (`SSO_ISSUER`; in the demo the sandbox's Google plays it), with PKCE, `state` and `nonce`, through
 * `openid-client`. The attempt (state, nonce, PKCE verifier) travels sealed in a short-lived cookie of the
 * browser that started it, so a callback from any other browser, or a replayed one, fails the state check.
 * The id_token's verified email names the user; nobody is created by signing in.
 *
 * A session is a random 32-byte value in an HttpOnly cookie; the database keeps its SHA-256 only, with
 * its absolute expiry and its last use (the idle limit), and a synchronizer CSRF token.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { SessionConfig, SsoConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import {
  findLiveSession,
  insertSession,
  type LiveSession,
  revokeSession,
  type SessionOwner,
  touchSession,
  usersWithEmail,
} from '../db/sessions.ts';
import type { Vault } from '../domain/vault.ts';

/** Why a sign-in did not end in a session; the web app's sign-in page says each in words. */
export const SIGN_IN_PROBLEMS = [
  'sso_not_configured',
  'attempt_missing',
  'refused_by_provider',
  'email_unverified',
  'unknown_user',
  'ambiguous_user',
] as const;
export type SignInProblem = (typeof SIGN_IN_PROBLEMS)[number];

export class SignInError extends Error {
  override name = 'SignInError';
  readonly problem: SignInProblem;
  constructor(problem: SignInProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

export interface StartedSession {
  /** The cookie's value: shown to the browser once, stored only as a hash. */
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface Sessions {
  /** The identity provider's URL to send the browser to, and the sealed attempt for its cookie. */
  beginSignIn(): Promise<{ redirectTo: URL; attempt: string }>;
  /** Checks the provider's callback against the browser's attempt; answers whom it signs in. */
  finishSignIn(callbackUrl: URL, attempt: string | undefined): Promise<SessionOwner>;
  start(owner: SessionOwner): Promise<StartedSession>;
  /** The live session behind a cookie value, marked used; undefined when ended or unknown. */
  find(secret: string): Promise<LiveSession | undefined>;
  end(secret: string): Promise<void>;
}

const ATTEMPT_CONTEXT = 'sso-sign-in';
const ATTEMPT_TTL_MS = 10 * 60_000;
/** A session's last use is written at most this often: one write a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000;

export function createSessions(options: {
  db: Database;
  vault: Vault;
  publicUrl: string;
  sso: SsoConfig | undefined;
  lifetimes: SessionConfig;
}): Sessions {
  const { db, vault, sso, lifetimes } = options;
  const redirectUri = `${options.publicUrl}/auth/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (settings: SsoConfig) => {
    discovered ??= oidc
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        oidc.ClientSecretPost(settings.clientSecret),
        {
          // Only the sandbox's issuer is plain http (tests, the demo).
          execute: settings.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
          timeout: 15,
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  const required = () => {
    if (!sso) throw new SignInError('sso_not_configured', 'single sign-on is not set up (SSO_ISSUER)');
    return sso;
  };

  return {
    async beginSignIn() {
      const settings = required();
      const attempt = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        until: Date.now() + ATTEMPT_TTL_MS,
      };
      const redirectTo = oidc.buildAuthorizationUrl(await configuration(settings), {
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        state: attempt.state,
        nonce: attempt.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(attempt.verifier),
        code_challenge_method: 'S256',
      });
      return { redirectTo, attempt: vault.seal(JSON.stringify(attempt), ATTEMPT_CONTEXT) };
    },

    async finishSignIn(callbackUrl, sealed) {
      const settings = required();
      const attempt = openAttempt(vault, sealed);
      let claims: oidc.IDToken | undefined;
      try {
        const response = await oidc.authorizationCodeGrant(
          await configuration(settings),
          callbackUrl,
          {
            pkceCodeVerifier: attempt.verifier,
            expectedState: attempt.state,
            expectedNonce: attempt.nonce,
            idTokenExpected: true,
          },
          { redirect_uri: redirectUri },
        );
        claims = response.claims();
      } catch (error) {
        throw new SignInError(
          'refused_by_provider',
          `the identity provider's answer was not accepted (${error instanceof Error ? error.message : 'unknown error'})`,
        );
      }
      if (typeof claims?.email !== 'string' || claims.email_verified !== true) {
        throw new SignInError('email_unverified', 'the identity provider did not vouch for an email address');
      }
      const users = await usersWithEmail(db, claims.email);
      const [user] = users;
      if (!user)
        throw new SignInError('unknown_user', `no talentsync account has the address ${claims.email}`);
      if (users.length > 1) {
        throw new SignInError('ambiguous_user', `${claims.email} has accounts in several organizations`);
      }
      return { kind: 'user', ...user };
    },

    async start(owner) {
      const secret = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + lifetimes.absoluteMs);
      await insertSession(db, { idHash: hashOf(secret), owner, csrfToken, expiresAt });
      return { secret, csrfToken, expiresAt };
    },

    async find(secret) {
      const idHash = hashOf(secret);
      const session = await findLiveSession(db, idHash, lifetimes.idleMs);
      if (session && Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS)
        await touchSession(db, idHash);
      return session;
    },

    end: (secret) => revokeSession(db, hashOf(secret)),
  };
}

function hashOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function openAttempt(
  vault: Vault,
  sealed: string | undefined,
): { state: string; nonce: string; verifier: string; until: number } {
  const missing = () =>
    new SignInError('attempt_missing', 'this sign-in was not started in this browser, or took too long');
  if (!sealed) throw missing();
  try {
    const attempt = JSON.parse(vault.open(sealed, ATTEMPT_CONTEXT));
    if (typeof attempt.until === 'number' && attempt.until > Date.now()) return attempt;
  } catch {
    // a forged or damaged cookie is as good as none
  }
  throw missing();
}
