/**
 * Connecting a mailbox (R3, R6, R7, R8) and Microsoft admin consent, as one OAuth flow in steps:
 *
 * 1. `startFlow` (API, authenticated): refuses while the organization has no provider (R3), then returns a
 *    single-use link, valid ten minutes, that starts the flow in a browser.
 * 2. `describeLink` (browser): what the link's page shows, which user and organization the flow is for.
 *    A link can be forwarded, so nothing goes to the provider until that very user signs in here.
 * 3. `openLink` (browser, signed in as the flow's user): claims the link, binds the flow to that browser
 *    with a cookie, creates `state`, `nonce` and the PKCE verifier, and sends the browser to the provider.
 * 4. `finishFlow` (browser, the provider's redirect): claims the flow by `state` together with the browser
 *    cookie (a callback without it changes nothing), then for a connect exchanges the code (PKCE,
 *    id_token) and places the mailbox (`connect-mailbox.ts`): connected, refused, or, for a consumer
 *    mailbox, held until
 * 5. `confirmPersonalMailbox` (browser, same cookie): the user's own "connect anyway" (R8).
 *
 * Every failure ends in a `FlowError`.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { findUserConnection } from '../db/connections.ts';
import {
  claimHeldGrant,
  claimLink,
  claimState,
  findOpenLink,
  insertFlow,
  isStateOpen,
  type OAuthFlow,
  type OpenLink,
} from '../db/oauth-flows.ts';
import { findSettings } from '../db/organizations.ts';
import { AppError } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { ProviderError } from '../providers/errors.ts';
import { recordAdminConsent } from './admin-consent.ts';
import {
  type Consented,
  type MailboxOutcome,
  openHeldGrant,
  placeMailbox,
  recordConnection,
  revokeUnlessLive,
} from './connect-mailbox.ts';
import { type AppContext, oauthRedirectUri } from './context.ts';
import { FlowError, PROVIDER_NAMES } from './flow-error.ts';
import { sealedAt } from './grants.ts';

type UserPrincipal = Extract<Principal, { kind: 'user' }>;

const FLOW_LIFETIME_MS = 10 * 60_000;

export type FlowResult = MailboxOutcome | { kind: 'admin_consented'; tenantId: string };

const LINK_EXPIRED = 'This link has expired or was already used. Start connecting again from talentsync.';

/** Step 1: a single-use link (and its code) that starts a connect (or, for admins, a Microsoft admin-consent) flow. */
export async function startFlow(
  context: AppContext,
  user: UserPrincipal,
  purpose: OAuthFlow['purpose'],
): Promise<{ code: string; url: string; expiresAt: Date }> {
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
  return { code, url: `${context.publicUrl}/oauth/start/${code}`, expiresAt };
}

/** Step 2: which user and organization an unused start link is for, without using it up. */
export async function describeLink(context: AppContext, code: string): Promise<OpenLink> {
  const link = await findOpenLink(context.db, hash(code));
  if (!link) throw new FlowError('link_expired', LINK_EXPIRED);
  return link;
}

/**
 * Step 3: claims a start link for the user signed in in this browser, who must be the one it was made
 * for; answers where to send the browser and the cookie that binds it. Anyone else leaves the link as it was.
 */
export async function openLink(
  context: AppContext,
  code: string,
  signedIn: UserPrincipal | undefined,
): Promise<{ redirectTo: URL; browserKey: string }> {
  const { flow, user } = await describeLink(context, code);
  if (!signedIn) {
    throw new FlowError('sign_in_required', `Sign in as ${user.name} (${user.email}) to continue.`);
  }
  if (signedIn.orgId !== flow.orgId || signedIn.userId !== flow.userId) {
    throw new FlowError(
      'wrong_user',
      `This link was made for ${user.name} (${user.email}), and you signed in as someone else. If someone sent you this link, do not use it: it would connect your mailbox to their account.`,
    );
  }
  const state = client.randomState();
  const browserKey = randomBytes(32).toString('base64url');
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const claimed = await claimLink(context.db, hash(code), signedIn, (row) => ({
    stateHash: hash(state),
    browserHash: hash(browserKey),
    codeVerifier: context.vault.seal(codeVerifier, sealedAt.codeVerifier(row.id)),
    nonce,
  }));
  if (!claimed) throw new FlowError('link_expired', LINK_EXPIRED);
  const adapter = context.providers[claimed.provider];
  if (!adapter)
    throw new FlowError(
      'provider_not_configured',
      `${PROVIDER_NAMES[claimed.provider]} is not configured on this server.`,
    );
  const redirectUri = oauthRedirectUri(context);
  if (claimed.purpose === 'admin_consent' && adapter.adminConsent) {
    return { redirectTo: await adapter.adminConsent.url({ redirectUri, state }), browserKey };
  }
  const redirectTo = await adapter.oauth
    .authorizationUrl({ redirectUri, state, nonce, codeVerifier, loginHint: user.email })
    .catch((error: unknown) => {
      throw new FlowError(
        'provider_unavailable',
        `${PROVIDER_NAMES[claimed.provider]} could not be reached (${(error as Error).message}). Try again in a moment.`,
      );
    });
  return { redirectTo, browserKey };
}

/** Step 4: the provider sent the browser back; finish what the flow was for. */
export async function finishFlow(
  context: AppContext,
  callbackUrl: URL,
  browserKey: string | undefined,
): Promise<FlowResult> {
  const state = callbackUrl.searchParams.get('state');
  if (!state) throw new FlowError('state_invalid', 'This sign-in has expired or was already completed.');
  // The cookie is part of the claim: a callback from another browser must not use up the flow, or anyone
  // who learns a `state` could end its user's sign-in.
  const flow = browserKey ? await claimState(context.db, hash(state), hash(browserKey)) : undefined;
  if (!flow) {
    throw (await isStateOpen(context.db, hash(state)))
      ? new FlowError(
          'wrong_browser',
          'This sign-in was started in another browser. Finish it in the browser where you started it.',
        )
      : new FlowError(
          'state_invalid',
          'This sign-in has expired or was already completed. Start connecting again from talentsync.',
        );
  }
  const error = callbackUrl.searchParams.get('error');
  if (error) throw refusal(flow, error, callbackUrl.searchParams.get('error_description') ?? '');
  if (flow.purpose === 'admin_consent') return recordAdminConsent(context, flow, callbackUrl);
  await ensureProviderUnchanged(context, flow);
  return placeMailbox(context, flow, await exchange(context, flow, callbackUrl));
}

/** Step 5: the user's answer, in the browser bound to the flow, to "connect this personal mailbox anyway?". */
export async function confirmPersonalMailbox(
  context: AppContext,
  browserKey: string | undefined,
  connect: boolean,
): Promise<MailboxOutcome> {
  const held = browserKey ? await claimHeldGrant(context.db, hash(browserKey)) : undefined;
  if (!held) {
    throw new FlowError(
      'confirmation_expired',
      'This confirmation has expired, was already answered, or was started in another browser. Start connecting again from talentsync.',
    );
  }
  const consented = openHeldGrant(context, held.flow.id, held.sealed);
  if (!connect) {
    await revokeUnlessLive(context, held.flow.provider, consented);
    throw new FlowError(
      'personal_declined',
      `${consented.identity.address} was not connected. Nothing was stored.`,
    );
  }
  await ensureProviderUnchanged(context, held.flow);
  return recordConnection(context, held.flow, consented);
}

async function ensureProviderUnchanged(context: AppContext, flow: OAuthFlow): Promise<void> {
  const settings = await findSettings(context.db, flow.orgId);
  if (settings?.provider !== flow.provider) {
    throw new FlowError(
      'provider_changed',
      "Your organization's email provider changed while you were signing in. Start connecting again.",
    );
  }
}

async function exchange(context: AppContext, flow: OAuthFlow, callbackUrl: URL): Promise<Consented> {
  const adapter = context.providers[flow.provider];
  if (!adapter || !flow.codeVerifier || !flow.nonce)
    throw new FlowError('state_invalid', 'This sign-in cannot be completed. Start again.');
  try {
    return await adapter.oauth.exchange(
      {
        redirectUri: oauthRedirectUri(context),
        state: callbackUrl.searchParams.get('state') ?? '',
        nonce: flow.nonce,
        codeVerifier: context.vault.open(flow.codeVerifier, sealedAt.codeVerifier(flow.id)),
      },
      callbackUrl,
    );
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

function hash(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
