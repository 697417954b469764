/**
 * The database as Kysely sees it: one interface per table, named after the table.
 * Migrations are the source of truth; these types follow them.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp the database fills in: read as a Date, optional on insert. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export type ProviderSetting = 'none' | 'google' | 'microsoft';
export type ProviderName = Exclude<ProviderSetting, 'none'>;
export type ConnectionStatus = 'connected' | 'reauthorization_required' | 'disconnected' | 'deauthorized';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  primary_domain: string;
  created_at: CreatedAt;
  provider: ColumnType<ProviderSetting, ProviderSetting | undefined, ProviderSetting>;
  internal_domains: ColumnType<string[], string[] | undefined, string[]>;
  backfill_days: ColumnType<number, number | undefined, number>;
  microsoft_tenant_id: ColumnType<string | null, string | null | undefined, string | null>;
  microsoft_admin_consent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AuditEventsTable {
  org_id: string;
  id: Generated<string>;
  at: CreatedAt;
  actor_user_id: string | null;
  action: string;
  details: ColumnType<Record<string, unknown>, string, string>;
}

export interface MailboxConnectionsTable {
  org_id: string;
  id: Generated<string>;
  user_id: string;
  provider: ProviderName;
  address: string;
  status: ConnectionStatus;
  provider_subject: string;
  tenant_id: string | null;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  warning: string | null;
  authorized_at: Date;
  /** Sealed by the vault; never clear text. */
  refresh_token: string | null;
  access_token: string | null;
  access_token_expires_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  status_changed_at: CreatedAt;
  created_at: CreatedAt;
}

export interface OauthFlowsTable {
  org_id: string;
  id: Generated<string>;
  user_id: string;
  purpose: 'connect' | 'admin_consent';
  provider: ProviderName;
  link_hash: Buffer;
  state_hash: Buffer | null;
  browser_hash: Buffer | null;
  code_verifier: string | null;
  nonce: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface PendingRevocationsTable {
  org_id: string;
  id: Generated<string>;
  connection_id: string;
  provider: ProviderName;
  /** Sealed by the vault. */
  token: string;
  created_at: CreatedAt;
}

export interface UsersTable {
  org_id: string;
  id: Generated<string>;
  email: string;
  name: string;
  role: 'admin' | 'member';
  created_at: CreatedAt;
}

export interface MembersTable {
  id: Generated<string>;
  external_id: string | null;
  name: string;
  headline: ColumnType<string, string | undefined, string>;
  discoverability: 'anyone' | 'connections' | 'nobody';
  discoverability_changed_at: CreatedAt;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface MemberEmailsTable {
  normalized: string;
  member_id: string;
  address: string;
  /** The address's place in the member's list, as the operator gave it. */
  position: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface AccessTokensTable {
  id: string;
  secret_hash: Buffer;
  principal: 'user' | 'member' | 'operator';
  org_id: string | null;
  user_id: string | null;
  member_id: string | null;
  name: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface InmailConversationsTable {
  org_id: string;
  id: Generated<string>;
  user_id: string;
  member_id: string;
  subject: string;
  created_at: CreatedAt;
  last_message_at: CreatedAt;
}

export interface InmailMessagesTable {
  org_id: string;
  id: Generated<string>;
  conversation_id: string;
  sender: 'user' | 'member';
  user_id: string | null;
  body: string;
  created_at: CreatedAt;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  members: MembersTable;
  member_emails: MemberEmailsTable;
  access_tokens: AccessTokensTable;
  inmail_conversations: InmailConversationsTable;
  inmail_messages: InmailMessagesTable;
  audit_events: AuditEventsTable;
  mailbox_connections: MailboxConnectionsTable;
  oauth_flows: OauthFlowsTable;
  pending_revocations: PendingRevocationsTable;
}
