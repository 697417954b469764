/**
 * The connect flow's last step: the consenting mailbox becomes a connection, but only a mailbox that is
 * acceptable for the flow's user (`domain/mailbox-fit.ts`). The user's own or an organization mailbox
 * connects at once; a consumer mailbox (R8) waits, its grant sealed on the flow, until the user confirms
 * in the same browser; any other mailbox is refused, nothing is stored, and its grant is revoked.
 *
 * On Microsoft an organization is also bound to its Entra tenant (`tid`): by admin consent, or else by the
 * first connection of one of its admins. A work account from another tenant is then refused the same way
 * unless an admin allowed that tenant; personal Microsoft accounts (the consumer tenant) are R8's matter.
 * Members connecting before anything bound the organization are not refused for their tenant: the mailbox
 * fit already demands an address of record on the organization's domains, which only the tenant that
 * verified those domains can issue.
 */
import { insertAuditEvent } from '../db/audit.ts';
import {
  findLiveConnectionByAddress,
  findUserConnection,
  insertConnection,
  lockConnection,
  reactivateConnection,
} from '../db/connections.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { holdGrant, type OAuthFlow, takeAbandonedGrants } from '../db/oauth-flows.ts';
import {
  bindMicrosoftTenant,
  findOrganization,
  findSettings,
  type Organization,
  type OrganizationSettings,
} from '../db/organizations.ts';
import { findUser } from '../db/users.ts';
import { isConsumerDomain } from '../domain/consumer-domains.ts';
import { emailDomain } from '../domain/email.ts';
import { mailboxFit } from '../domain/mailbox-fit.ts';
import type { ConsentIdentity, Provider, TokenSet } from '../providers/types.ts';
import type { AppContext } from './context.ts';
import { FlowError, PROVIDER_NAMES } from './flow-error.ts';
import { saveTokens, sealedAt } from './grants.ts';
import { enqueuePushStart, enqueueSync } from './sync.ts';

/** How long a consumer mailbox's grant waits for its user's confirmation. */
const HOLD_MS = 10 * 60_000;

/** The tenant of personal Microsoft accounts ("id_token claims reference", `tid`). */
const MICROSOFT_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export interface Consented {
  tokens: TokenSet;
  identity: ConsentIdentity;
}

export type MailboxOutcome =
  | { kind: 'connected'; address: string; provider: Provider; warning: string | null; reconnected: boolean }
  | {
      kind: 'confirm_personal';
      address: string;
      user: { name: string; email: string };
      organization: string;
    };

/** Connects, holds for confirmation, or refuses the mailbox that consented in `flow`. */
export async function placeMailbox(
  context: AppContext,
  flow: OAuthFlow,
  consented: Consented,
): Promise<MailboxOutcome> {
  const { db } = context;
  const [user, organization, settings] = await Promise.all([
    findUser(db, flow.orgId, flow.userId),
    findOrganization(db, flow.orgId),
    findSettings(db, flow.orgId),
  ]);
  if (!user || !organization || !settings)
    throw new FlowError('state_invalid', 'This sign-in cannot be completed.');
  const { address } = consented.identity;
  // Granular consent (Google): without mail nothing can sync, so nothing is connected; without calendar
  // the mailbox connects and the warning says what scheduling needs (recordConnection).
  const missing = context.providers[flow.provider]?.oauth.missingAccess?.(consented.tokens.scopes) ?? {};
  if (missing.mail) {
    await revokeUnlessLive(context, flow.provider, consented);
    throw new FlowError(
      'mail_access_missing',
      `${address} was not connected: talentsync needs to read your mail, and that permission was unticked. Nothing was stored. Start again from talentsync and, on ${PROVIDER_NAMES[flow.provider]}'s consent screen, keep ${missing.mail} ticked.`,
    );
  }
  const fit = mailboxFit(
    address,
    {
      userEmail: user.email,
      primaryDomain: organization.primaryDomain,
      internalDomains: settings.internalDomains,
    },
    consented.identity.addressesOfRecord,
  );
  if (fit === 'foreign') {
    await revokeUnlessLive(context, flow.provider, consented);
    const domains = [organization.primaryDomain, ...settings.internalDomains].join(', ');
    throw new FlowError(
      'mailbox_not_allowed',
      `${address} was not connected: a mailbox connected for ${user.name} (${user.email}) of ${organization.name} must be ${user.email} or an address on ${domains}. Nothing was stored. Sign in to ${PROVIDER_NAMES[flow.provider]} with that mailbox and start again from talentsync.`,
    );
  }
  if (fit === 'personal') {
    const sealed = context.vault.seal(JSON.stringify(consented), sealedAt.heldGrant(flow.id));
    await holdGrant(db, flow.orgId, flow.id, sealed, HOLD_MS);
    return {
      kind: 'confirm_personal',
      address,
      user: { name: user.name, email: user.email },
      organization: organization.name,
    };
  }
  const bindTenant =
    flow.provider === 'microsoft'
      ? await checkTenant(context, flow, consented, { organization, settings, admin: user.role === 'admin' })
      : undefined;
  return recordConnection(context, flow, consented, bindTenant);
}

/**
 * Refuses a Microsoft work account from a tenant the organization is not bound to (nor allowed); answers
 * the tenant to bind the organization to when this is its first admin's connection.
 */
async function checkTenant(
  context: AppContext,
  flow: OAuthFlow,
  consented: Consented,
  {
    organization,
    settings,
    admin,
  }: { organization: Organization; settings: OrganizationSettings; admin: boolean },
): Promise<string | undefined> {
  const tenant = consented.identity.tenantId?.toLowerCase();
  if (tenant === MICROSOFT_CONSUMER_TENANT) return undefined;
  const bound = settings.microsoftTenantId;
  if (tenant !== undefined && bound === null) return admin ? tenant : undefined;
  if (tenant !== undefined && (tenant === bound || settings.microsoftAllowedTenantIds.includes(tenant)))
    return undefined;
  await revokeUnlessLive(context, flow.provider, consented);
  throw new FlowError(
    'tenant_not_allowed',
    `${consented.identity.address} was not connected: it belongs to another Microsoft 365 organization (tenant ${tenant ?? 'unknown'}) than ${organization.name} (tenant ${bound}). Nothing was stored. Sign in with your ${organization.name} account, or ask your admin to allow that tenant in talentsync.`,
  );
}

/** Opens a held grant (sealed at the flow's place) back into tokens and identity. */
export function openHeldGrant(context: AppContext, flowId: string, sealed: string): Consented {
  const held = JSON.parse(context.vault.open(sealed, sealedAt.heldGrant(flowId))) as Consented & {
    tokens: { expiresAt: string };
  };
  return { identity: held.identity, tokens: { ...held.tokens, expiresAt: new Date(held.tokens.expiresAt) } };
}

/** Revokes, best effort, the grants of consumer mailboxes whose users never confirmed. */
export async function discardAbandonedGrants(context: AppContext): Promise<number> {
  const abandoned = await takeAbandonedGrants(context.db);
  for (const grant of abandoned) {
    await revokeUnlessLive(context, grant.provider, openHeldGrant(context, grant.id, grant.sealed));
  }
  return abandoned.length;
}

/**
 * Revokes a grant that will not be kept, best effort. Not when the same mailbox is live in another
 * connection: Google revokes the app's whole grant for the account, which would end that connection too.
 */
export async function revokeUnlessLive(context: AppContext, provider: Provider, consented: Consented) {
  const live = await findLiveConnectionByAddress(context.db, provider, consented.identity.address);
  if (live) return;
  const token = consented.tokens.refreshToken ?? consented.tokens.accessToken;
  await context.providers[provider]?.oauth.revoke(token).catch((error: unknown) => {
    context.logger.warn({ err: error, provider }, 'revoking a refused grant failed');
  });
}

/** Stores the connection (new, or R7's reconnect of the same mailbox) with its tokens, and starts sync. */
export async function recordConnection(
  context: AppContext,
  flow: OAuthFlow,
  { tokens, identity }: Consented,
  bindTenant?: string,
): Promise<MailboxOutcome> {
  const { db, vault } = context;
  const domain = emailDomain(identity.address);
  const missing = context.providers[flow.provider]?.oauth.missingAccess?.(tokens.scopes) ?? {};
  const warnings = [
    isConsumerDomain(domain)
      ? `${identity.address} is a personal mailbox (${domain}). Private mail with people who are candidates could be synced; a company mailbox is recommended.`
      : undefined,
    missing.calendar
      ? `Calendar access was not allowed, so interviews cannot be scheduled from talentsync. To allow it, disconnect your mailbox in talentsync, connect it again and keep ${missing.calendar} ticked on ${PROVIDER_NAMES[flow.provider]}'s consent screen.`
      : undefined,
  ].filter((text) => text !== undefined);
  const warning = warnings.length > 0 ? warnings.join(' ') : null;
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
      if (bindTenant !== undefined) {
        // The first admin's connection binds the organization to its tenant, unless another bound it first.
        const bound = await bindMicrosoftTenant(trx, flow.orgId, bindTenant);
        if (bound !== bindTenant) {
          throw new FlowError(
            'tenant_not_allowed',
            `${identity.address} was not connected: your organization was just bound to another Microsoft 365 tenant (${bound}). Nothing was stored.`,
          );
        }
        await insertAuditEvent(trx, flow.orgId, {
          actorUserId: flow.userId,
          action: 'settings_changed',
          details: { before: { microsoftTenantId: null }, after: { microsoftTenantId: bindTenant } },
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
