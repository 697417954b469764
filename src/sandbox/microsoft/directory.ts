/**
 * The directory: tenants (Entra ID organizations), their users, and registered applications. A work
 * account's tenant is found by its mail domain and created on first use; outlook.com, hotmail.com and
 * live.com accounts live in the consumer (MSA) tenant, whose id Microsoft publishes as
 * 9188040d-6c67-4c5b-b112-36a304b66dad ("id_token claims reference": tid of personal accounts).
 */
import type { Ids } from './ids.ts';

export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
const CONSUMER_DOMAINS = new Set(['outlook.com', 'hotmail.com', 'live.com']);

export interface Tenant {
  id: string;
  domain: string;
  consumer: boolean;
  /** Users may not consent to apps themselves; an admin must consent for the whole tenant first. */
  requireAdminConsent: boolean;
  /** Tenant-wide (admin) consent: client id → Graph scopes consented for every user. */
  adminConsents: Map<string, Set<string>>;
}

export interface User {
  /** The Graph user id (`/me` id): the object id for work accounts, 16 hex digits for consumer accounts. */
  id: string;
  /** The `oid` claim. */
  oid: string;
  /** The sign-in name (`userPrincipalName`), on a domain of the tenant, and the primary SMTP address. */
  email: string;
  /**
   * Graph's `mail` property: by default the primary SMTP address, but an admin can set it to anything, even
   * another tenant's address or null; Entra ID does not verify it (the control API sets it).
   */
  mail: string | null;
  name: string;
  tenantId: string;
}

export interface Client {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** Which accounts a `{tenant}` path segment admits (identity platform "Endpoints"). */
export type Authority =
  | { kind: 'common' | 'organizations' | 'consumers' }
  | { kind: 'tenant'; tenant: Tenant };

export interface Directory {
  createTenant(domain: string): Tenant;
  tenant(idOrDomain: string): Tenant | undefined;
  authority(segment: string): Authority | undefined;
  /** The user with this address, creating it (and its tenant) when new. */
  ensureUser(email: string, name?: string): User;
  user(email: string): User | undefined;
  userById(id: string): User | undefined;
  registerClient(client: Client): Client;
  client(clientId: string): Client | undefined;
  /** Whether an account may sign in through this authority. */
  admits(authority: Authority, user: User): boolean;
  /** The stores themselves (data a snapshot keeps). */
  data: {
    tenants: Map<string, Tenant>;
    tenantsByDomain: Map<string, Tenant>;
    users: Map<string, User>;
    usersById: Map<string, User>;
    clients: Map<string, Client>;
  };
  reset(): void;
}

export function createDirectory(ids: Ids): Directory {
  const tenants = new Map<string, Tenant>();
  const tenantsByDomain = new Map<string, Tenant>();
  const users = new Map<string, User>();
  const usersById = new Map<string, User>();
  const clients = new Map<string, Client>();

  const consumerTenant = (): Tenant => {
    let tenant = tenants.get(CONSUMER_TENANT_ID);
    if (!tenant) {
      tenant = {
        id: CONSUMER_TENANT_ID,
        domain: 'consumers',
        consumer: true,
        requireAdminConsent: false,
        adminConsents: new Map(),
      };
      tenants.set(tenant.id, tenant);
    }
    return tenant;
  };

  const directory: Directory = {
    createTenant(domain) {
      const key = domain.toLowerCase();
      if (CONSUMER_DOMAINS.has(key)) return consumerTenant();
      const existing = tenantsByDomain.get(key);
      if (existing) return existing;
      const tenant: Tenant = {
        id: ids.guid(),
        domain: key,
        consumer: false,
        requireAdminConsent: false,
        adminConsents: new Map(),
      };
      tenants.set(tenant.id, tenant);
      tenantsByDomain.set(key, tenant);
      return tenant;
    },
    tenant: (idOrDomain) =>
      tenants.get(idOrDomain.toLowerCase()) ?? tenantsByDomain.get(idOrDomain.toLowerCase()),
    authority(segment) {
      const key = segment.toLowerCase();
      if (key === 'common' || key === 'organizations' || key === 'consumers') return { kind: key };
      if (key === CONSUMER_TENANT_ID) return { kind: 'tenant', tenant: consumerTenant() };
      const tenant = directory.tenant(key);
      return tenant ? { kind: 'tenant', tenant } : undefined;
    },
    ensureUser(email, name) {
      const key = email.toLowerCase();
      const existing = users.get(key);
      if (existing) return existing;
      const domain = key.slice(key.lastIndexOf('@') + 1);
      const tenant = directory.createTenant(domain);
      const consumerId = tenant.consumer ? ids.consumerId() : undefined;
      const oid = consumerId
        ? `00000000-0000-0000-${consumerId.slice(0, 4)}-${consumerId.slice(4)}`
        : ids.guid();
      const user: User = {
        id: consumerId ?? oid,
        oid,
        email: key,
        mail: key,
        name: name ?? key.slice(0, key.indexOf('@')),
        tenantId: tenant.id,
      };
      users.set(key, user);
      usersById.set(user.id, user);
      return user;
    },
    user: (email) => users.get(email.toLowerCase()),
    userById: (id) => usersById.get(id.toLowerCase()) ?? usersById.get(id),
    registerClient(client) {
      clients.set(client.clientId, client);
      return client;
    },
    client: (clientId) => clients.get(clientId),
    admits(authority, user) {
      const consumer = user.tenantId === CONSUMER_TENANT_ID;
      switch (authority.kind) {
        case 'common':
          return true;
        case 'organizations':
          return !consumer;
        case 'consumers':
          return consumer;
        case 'tenant':
          return authority.tenant.id === user.tenantId;
      }
    },
    data: { tenants, tenantsByDomain, users, usersById, clients },
    reset() {
      tenants.clear();
      tenantsByDomain.clear();
      users.clear();
      usersById.clear();
      clients.clear();
    },
  };
  return directory;
}
