/**
 * The database as Kysely sees it: one interface per table, named after the table.
 * Migrations are the source of truth; these types follow them.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Visibility } from '../domain/visibility.ts';

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
  microsoft_allowed_tenant_ids: ColumnType<string[], string[] | undefined, string[]>;
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
  /** Sealed tokens and identity of a consumer mailbox waiting for its user's confirmation (R8). */
  held_grant: string | null;
}

export interface PendingRevocationsTable {
  org_id: string;
  id: Generated<string>;
  connection_id: string;
  provider: ProviderName;
  /** Sealed by the vault. */
  token: string;
  created_at: CreatedAt;
  push_subscription_id: string | null;
  push_active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface MailboxSyncTable {
  org_id: string;
  connection_id: string;
  cursor: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  push_subscription_id: string | null;
  push_client_state_hash: Buffer | null;
  push_expires_at: Date | null;
  last_push_at: Date | null;
  last_sync_started_at: Date | null;
  last_sync_succeeded_at: Date | null;
  last_sync_duration_ms: number | null;
  messages_synced: ColumnType<string, string | number | undefined, string | number>;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  backoff_until: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

export type { Visibility };

export interface ThreadsTable {
  org_id: string;
  id: Generated<string>;
  connection_id: string;
  owner_user_id: string;
  provider_thread_id: string;
  visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  subject: ColumnType<string, string | undefined, string>;
  last_message_at: Date | null;
  created_at: CreatedAt;
}

/** A participant as stored: the address and, when the header had one, the display name. */
export interface StoredAddress {
  address: string;
  name?: string;
}

/** What is kept of an attachment: never its content. */
export interface StoredAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId?: string;
  disposition: 'attachment' | 'inline';
}

export interface MessagesTable {
  org_id: string;
  id: Generated<string>;
  thread_id: string;
  connection_id: string;
  provider_message_id: string;
  rfc_message_id: string | null;
  in_reply_to: string | null;
  references: ColumnType<string[], string[] | undefined, string[]>;
  direction: 'sent' | 'received';
  from_address: ColumnType<StoredAddress | null, string | null, string | null>;
  to_addresses: ColumnType<StoredAddress[], string, string>;
  cc_addresses: ColumnType<StoredAddress[], string, string>;
  bcc_addresses: ColumnType<StoredAddress[], string, string>;
  subject: string;
  sent_at: Date | null;
  received_at: Date;
  snippet: string;
  body_text: string;
  body_html: string | null;
  attachments: ColumnType<StoredAttachment[], string, string>;
  /** True when less than the whole message was kept (over the size cap, or text, HTML or attachments cut). */
  truncated: Generated<boolean>;
  created_at: CreatedAt;
}

export interface MessageMembersTable {
  org_id: string;
  message_id: string;
  member_id: string;
  /** The message's thread (migration 0011), so a member's threads are read without the messages. */
  thread_id: string;
}

/**
 * A member's threads in order of activity (migration 0014), kept by triggers from `message_members`
 * and `threads.last_message_at`; read by the history (R17) and never written by our code.
 */
export interface MemberThreadsTable {
  org_id: string;
  member_id: string;
  thread_id: string;
  last_message_at: Date;
}

/** Search data of one message (migration 0008); written and read only by `db/search.ts`. */
export interface MessageSearchTable {
  org_id: string;
  message_id: string;
  thread_id: string;
  received_at: Date;
  /** tsvectors, as PostgreSQL prints them. */
  words: string;
  people: string;
  member_ids: ColumnType<string[], string[] | undefined, string[]>;
  seq: Generated<string>;
}

export interface SyncDecisionsTable {
  org_id: string;
  connection_id: string;
  provider_message_id: string;
  rfc_message_id_hash: Buffer | null;
  rule: string;
  decided_at: CreatedAt;
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

export interface SuppressionsTable {
  address_hash: Buffer;
  suppressed_at: CreatedAt;
}

export interface ErasuresTable {
  id: Generated<string>;
  at: CreatedAt;
  requested_by: 'member' | 'operator';
  member_id: string;
  org_ids: string[];
  messages: number;
  threads: number;
}

export interface ErasedMessagesTable {
  org_id: string;
  connection_id: string;
  provider_message_hash: Buffer;
  erased_at: CreatedAt;
}

export interface ExportsTable {
  id: Generated<string>;
  at: CreatedAt;
  requested_by: 'member' | 'operator';
  member_id: string;
  finished_at: Date | null;
  org_ids: ColumnType<string[], string[] | undefined, string[]>;
  messages: number | null;
  inmail_messages: number | null;
}

export interface SchedulingSettingsTable {
  org_id: string;
  user_id: string;
  time_zone: string;
  working_days: number[];
  work_start: string;
  work_end: string;
  minimum_notice_minutes: number;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  daily_cap: number | null;
  change_cutoff_minutes: number;
  max_reschedules: number;
  updated_at: CreatedAt;
}

export type ProposalStatus = 'open' | 'booked' | 'closed';

export interface InterviewProposalsTable {
  org_id: string;
  id: Generated<string>;
  conversation_id: string;
  user_id: string;
  member_id: string;
  /** The `SlotRules` the slots were computed by (JSON). */
  rules: ColumnType<unknown, string, string>;
  /** The slots offered: `[{ start, end }]` as ISO strings (JSON). */
  slots: ColumnType<{ start: string; end: string }[], string, string>;
  change_cutoff_minutes: number;
  max_reschedules: number;
  created_at: CreatedAt;
  expires_at: Date;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
}

export type ConferenceStatus = 'ready' | 'pending' | 'failed';

export interface InterviewBookingsTable {
  org_id: string;
  id: Generated<string>;
  proposal_id: string;
  user_id: string;
  member_id: string;
  conversation_id: string;
  starts_at: Date;
  ends_at: Date;
  /** `tstzrange` of the interview widened by its buffers, written as `[start,end)` text. */
  span: string;
  candidate_time_zone: string;
  status: ColumnType<'booked' | 'cancelled', 'booked' | 'cancelled' | undefined, 'booked' | 'cancelled'>;
  event_key: string;
  event_id: string | null;
  ical_uid: string | null;
  conference_status: ConferenceStatus | null;
  conference_url: string | null;
  reschedule_count: ColumnType<number, number | undefined, number>;
  reminder_sent_at: Date | null;
  cancelled_by: 'user' | 'member' | 'calendar' | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
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
  mailbox_sync: MailboxSyncTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  message_members: MessageMembersTable;
  member_threads: MemberThreadsTable;
  message_search: MessageSearchTable;
  sync_decisions: SyncDecisionsTable;
  suppressions: SuppressionsTable;
  erasures: ErasuresTable;
  erased_messages: ErasedMessagesTable;
  exports: ExportsTable;
  scheduling_settings: SchedulingSettingsTable;
  interview_proposals: InterviewProposalsTable;
  interview_bookings: InterviewBookingsTable;
  sessions: SessionsTable;
}

export interface SessionsTable {
  id_hash: Buffer;
  principal: 'user' | 'member';
  org_id: string | null;
  user_id: string | null;
  member_id: string | null;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: CreatedAt;
  expires_at: Date;
  revoked_at: Date | null;
}
