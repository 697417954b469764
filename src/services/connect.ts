/**
 * Connecting a mailbox (R3, R6, R7, R8) and Microsoft admin consent, as one OAuth flow in three steps:
 *
 * 1. `startFlow` (API, authenticated): refuses while the organization has no provider (R3), then returns a
 *    single-use link, valid ten minutes, that starts the flow in a browser.
 * 2. `openLink` (browser): claims the link, binds the flow to that browser with a cookie, creates `state`,
 *    `nonce` and the PKCE verifier, and sends the browser to the provider.
 * 3. `finishFlow` (browser, the provider's redirect): claims the flow by `state` (single use), checks the
 *    browser cookie, then for a connect exchanges the code (PKCE, id_token) and records the connection.
 *
 * Every failure ends in a `FlowError`: a sentence for the person at the browser, never a stack trace.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { insertAuditEvent } from '../db/audit.ts';
import {
  findLiveConnectionByAddress,
  findUserConnection,
  insertConnection,
  lockConnection,
  reactivateConnection,
} from '../db/connections.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { claimLink, claimState, insertFlow, type OAuthFlow } from '../db/oauth-flows.ts';
import { findSettings, updateSettings } from '../db/organizations.ts';
import { findUser } from '../db/users.ts';
import { isConsumerDomain } from '../domain/consumer-domains.ts';
import { emailDomain } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { ProviderError } from '../providers/errors.ts';
import type { Provider } from '../providers/types.ts';
import { type AppContext, oauthRedirectUri } from './context.ts';
import { saveTokens, sealedAt } from './grants.ts';
import { enqueuePushStart, enqueueSync } from './sync.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

const FLOW_LIFETIME_MS = 10 * 60_000;
export const PROVIDER_NAMES: Record<Provider, string> = {
  google: 'Google Workspace',
  microsoft: 'Microsoft 365',
};

export class FlowError extends Error {
  override name = 'FlowError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export type FlowResult =
  | { kind: 'connected'; address: string; provider: Provider; warning: string | null; reconnected: boolean }
  | { kind: 'admin_consented'; tenantId: string };

/** Step 1: a single-use link that starts a connect (or, for admins, a Microsoft admin-consent) flow. */
export async function startFlow(
  context: AppContext,
  user: UserPrincipal,
  purpose: OAuthFlow['purpose'],
): Promise<{ url: string; expiresAt: Date }> {
  const { db } = context;
  const settings = await findSettings(db, user.orgId);
  if (!settings || settings.provider === 'none') {
    throw new AppError(
      'provider_not_selected',
      'Your organization has not chosen an email provider yet: an admin must choose Google Workspace or Microsoft 365 before mailboxes can be connected.',
    );
  }
  const provider = settings.provider;
  const adapter = context.providers[provider];
  if (!adapter) {
    throw new AppError(
      'provider_not_configured',
      `${PROVIDER_NAMES[provider]} is not configured on this server.`,
    );
  }
  if (purpose === 'admin_consent') {
    if (user.role !== 'admin')
      throw new AppError('forbidden', 'only an admin can grant consent for the organization');
    if (!adapter.adminConsent)
      throw new AppError('conflict', `${PROVIDER_NAMES[provider]} has no admin consent step`);
  } else {
    const current = await findUserConnection(db, user.orgId, user.userId);
    if (current?.status === 'connected') {
      throw new AppError(
        'conflict',
        `your mailbox ${current.address} is already connected; disconnect it first to connect another`,
      );
    }
  }
  const code = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + FLOW_LIFETIME_MS);
  await insertFlow(db, user.orgId, {
    userId: user.userId,
    purpose,
    provider,
    linkHash: hash(code),
    expiresAt,
  });
  return { url: `${context.publicUrl}/oauth/start/${code}`, expiresAt };
}

/** Step 2: claims a start link and returns where to send the browser and the cookie that binds it. */
export async function openLink(
  context: AppContext,
  code: string,
): Promise<{ redirectTo: URL; browserKey: string }> {
  const state = client.randomState();
  const browserKey = randomBytes(32).toString('base64url');
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const flow = await claimLink(context.db, hash(code), (claimed) => ({
    stateHash: hash(state),
    browserHash: hash(browserKey),
    codeVerifier: context.vault.seal(codeVerifier, sealedAt.codeVerifier(claimed.id)),
    nonce,
  }));
  if (!flow) {
    throw new FlowError(
      'link_expired',
      'This link has expired or was already used. Start connecting again from talentsync.',
    );
  }
  const adapter = context.providers[flow.provider];
  if (!adapter)
    throw new FlowError(
      'provider_not_configured',
      `${PROVIDER_NAMES[flow.provider]} is not configured on this server.`,
    );
  const redirectUri = oauthRedirectUri(context);
  if (flow.purpose === 'admin_consent' && adapter.adminConsent) {
    return { redirectTo: await adapter.adminConsent.url({ redirectUri, state }), browserKey };
  }
  const user = await findUser(context.db, flow.orgId, flow.userId);
  const redirectTo = await adapter.oauth
    .authorizationUrl({ redirectUri, state, nonce, codeVerifier, loginHint: user?.email })
    .catch((error: unknown) => {
      throw new FlowError(
        'provider_unavailable',
        `${PROVIDER_NAMES[flow.provider]} could not be reached (${(error as Error).message}). Try again in a moment.`,
      );
    });
  return { redirectTo, browserKey };
}

/** Step 3: the provider sent the browser back; finish what the flow was for. */
export async function finishFlow(
  context: AppContext,
  callbackUrl: URL,
  browserKey: string | undefined,
): Promise<FlowResult> {
  const state = callbackUrl.searchParams.get('state');
  const flow = state ? await claimState(context.db, hash(state)) : undefined;
  if (!flow) {
    throw new FlowError(
      'state_invalid',
      'This sign-in has expired or was already completed. Start connecting again from talentsync.',
    );
  }
  if (!browserKey || !flow.browserHash || !timingSafeEqual(hash(browserKey), flow.browserHash)) {
    throw new FlowError(
      'wrong_browser',
      'This sign-in was started in another browser. Finish it in the browser where you started it.',
    );
  }
  const error = callbackUrl.searchParams.get('error');
  if (error) throw refusal(flow, error, callbackUrl.searchParams.get('error_description') ?? '');
  return flow.purpose === 'admin_consent'
    ? recordAdminConsent(context, flow, callbackUrl)
    : connect(context, flow, callbackUrl);
}

/** Explains a provider's refusal: declined consent, or a tenant that wants its admin to approve first. */
function refusal(flow: OAuthFlow, error: string, description: string): FlowError {
  const needsAdmin = error === 'consent_required' || /AADSTS(65001|90094|90095)/.test(description);
  if (needsAdmin) {
    return new FlowError(
      'admin_approval_required',
      `Your ${PROVIDER_NAMES[flow.provider]} organization requires an administrator to approve talentsync first. Ask your Recruiter Admin to grant admin consent in talentsync's settings, then connect again.`,
    );
  }
  if (error === 'access_denied') {
    return new FlowError(
      'consent_denied',
      flow.purpose === 'admin_consent'
        ? 'Admin consent was declined, so nothing changed.'
        : 'You declined access, so your mailbox is not connected. You can connect it at any time.',
    );
  }
  return new FlowError(
    'provider_error',
    `${PROVIDER_NAMES[flow.provider]} refused the sign-in (${error}). Start again from talentsync.`,
  );
}

async function connect(context: AppContext, flow: OAuthFlow, callbackUrl: URL): Promise<FlowResult> {
  const { db, vault } = context;
  const settings = await findSettings(db, flow.orgId);
  if (settings?.provider !== flow.provider) {
    throw new FlowError(
      'provider_changed',
      "Your organization's email provider changed while you were signing in. Start connecting again.",
    );
  }
  const adapter = context.providers[flow.provider];
  if (!adapter || !flow.codeVerifier || !flow.nonce)
    throw new FlowError('state_invalid', 'This sign-in cannot be completed. Start again.');
  const connectFlow = {
    redirectUri: oauthRedirectUri(context),
    state: callbackUrl.searchParams.get('state') ?? '',
    nonce: flow.nonce,
    codeVerifier: vault.open(flow.codeVerifier, sealedAt.codeVerifier(flow.id)),
  };
  let exchanged: Awaited<ReturnType<typeof adapter.oauth.exchange>>;
  try {
    exchanged = await adapter.oauth.exchange(connectFlow, callbackUrl);
  } catch (error) {
    context.logger.warn({ err: error, orgId: flow.orgId, userId: flow.userId }, 'OAuth code exchange failed');
    const kind = error instanceof ProviderError ? error.kind : 'permanent';
    throw new FlowError(
      'exchange_failed',
      kind === 'transient' || kind === 'rate_limited'
        ? `${PROVIDER_NAMES[flow.provider]} could not be reached to finish the sign-in. Start again in a moment.`
        : `${PROVIDER_NAMES[flow.provider]} did not confirm the sign-in (${(error as Error).message}). Start connecting again.`,
    );
  }
  const { tokens, identity } = exchanged;
  if (!tokens.refreshToken) {
    throw new FlowError(
      'no_offline_access',
      'The provider granted no lasting access (no refresh token). Start connecting again and accept all requested access.',
    );
  }
  const domain = emailDomain(identity.address);
  const warning = isConsumerDomain(domain)
    ? `${identity.address} is a personal mailbox (${domain}). Private mail with people who are candidates could be synced; a company mailbox is recommended.`
    : null;
  return db
    .transaction()
    .execute(async (trx) => {
      const elsewhere = await findLiveConnectionByAddress(trx, flow.provider, identity.address);
      const current = await findUserConnection(trx, flow.orgId, flow.userId);
      const live =
        current && (current.status === 'connected' || current.status === 'reauthorization_required')
          ? current
          : undefined;
      if (elsewhere && elsewhere.id !== live?.id) {
        throw new FlowError(
          'mailbox_taken',
          `The mailbox ${identity.address} is already connected by another user. Each mailbox can be connected once.`,
        );
      }
      if (live?.status === 'connected') {
        throw new FlowError(
          'already_connected',
          `Your mailbox ${live.address} is already connected. Disconnect it first to connect another.`,
        );
      }
      const reconnect =
        live !== undefined && live.address === identity.address && live.provider === flow.provider;
      let connectionId: string;
      if (reconnect && live) {
        // R7: the same mailbox after a lost grant resumes from its cursor, keeping authorized_at.
        await lockConnection(trx, flow.orgId, live.id);
        connectionId = live.id;
        await reactivateConnection(trx, flow.orgId, live.id, { warning, providerSubject: identity.subject });
      } else {
        if (live)
          throw new FlowError(
            'other_mailbox',
            `Reconnect ${live.address}, the mailbox you connected before, or disconnect it first.`,
          );
        connectionId = await insertConnection(trx, flow.orgId, {
          userId: flow.userId,
          provider: flow.provider,
          address: identity.address,
          providerSubject: identity.subject,
          tenantId: identity.tenantId ?? null,
          scopes: tokens.scopes,
          warning,
          authorizedAt: new Date(),
          accessTokenExpiresAt: tokens.expiresAt,
        });
      }
      await saveTokens(trx, vault, flow.orgId, connectionId, tokens);
      // Sync starts now, anchored at the moment of authorization (R9); push follows as soon as it is set up.
      await enqueueSync(trx, flow.orgId, connectionId);
      await enqueuePushStart(trx, flow.orgId, connectionId);
      await insertAuditEvent(trx, flow.orgId, {
        actorUserId: flow.userId,
        action: reconnect ? 'mailbox_reconnected' : 'mailbox_connected',
        details: { connectionId, provider: flow.provider },
      });
      return {
        kind: 'connected' as const,
        address: identity.address,
        provider: flow.provider,
        warning,
        reconnected: reconnect,
      };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new FlowError(
          'mailbox_taken',
          `The mailbox ${identity.address} is already connected by another user. Each mailbox can be connected once.`,
        );
      }
      throw error;
    });
}

/** Microsoft's admin-consent redirect: `admin_consent=True&tenant=<id>` on success. */
async function recordAdminConsent(
  context: AppContext,
  flow: OAuthFlow,
  callbackUrl: URL,
): Promise<FlowResult> {
  const tenantId = callbackUrl.searchParams.get('tenant');
  if (callbackUrl.searchParams.get('admin_consent')?.toLowerCase() !== 'true' || !tenantId) {
    throw new FlowError('consent_denied', 'Admin consent was not granted, so nothing changed.');
  }
  await context.db.transaction().execute(async (trx) => {
    await updateSettings(trx, flow.orgId, {
      microsoftTenantId: tenantId,
      microsoftAdminConsentAt: new Date(),
    });
    await insertAuditEvent(trx, flow.orgId, {
      actorUserId: flow.userId,
      action: 'microsoft_admin_consent_granted',
      details: { tenantId },
    });
  });
  return { kind: 'admin_consented', tenantId };
}

function hash(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
