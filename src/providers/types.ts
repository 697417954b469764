/**
 * The provider interface, split by capability. Each provider is one folder with the same file names
 * (`oauth.ts`, `errors.ts`, and later `mail.ts`, `calendar.ts`, `push.ts`), and the registry maps each
 * provider name to its adapter. Nothing outside `src/providers/` looks at a provider's API shapes.
 */
export const PROVIDERS = ['google', 'microsoft'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Tokens as the app keeps them; `refreshToken` is absent when the provider did not send a new one. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: Date;
  scopes: string[];
}

/** Who consented, read from the validated id_token and confirmed by the mail API. */
export interface ConsentIdentity {
  /** The mailbox's primary address, lowercased, as the mail API reports it for the consenting account. */
  address: string;
  /** The provider's stable id for the account (Google `sub`; Microsoft `oid`). */
  subject: string;
  /** Microsoft's tenant (`tid`). */
  tenantId: string | undefined;
  /**
   * Addresses the provider vouches for as the account's own (Microsoft: `userPrincipalName` and the SMTP
   * `proxyAddresses`, on domains the tenant verified), lowercased; `address` must be one of them. Absent
   * when `address` is itself the provider-verified address (Google).
   */
  addressesOfRecord?: string[];
}

export interface ConnectFlow {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  loginHint?: string | undefined;
}

export interface OAuthClient {
  /** The provider's consent page for connecting a mailbox (email and calendar in one consent, R6). */
  authorizationUrl(flow: ConnectFlow): Promise<URL>;
  /**
   * Exchanges the callback's code, checking state, PKCE and the id_token (issuer, audience, nonce), then
   * asks the mail API whose mailbox the token opens: it must be the account that consented.
   */
  exchange(flow: ConnectFlow, callbackUrl: URL): Promise<{ tokens: TokenSet; identity: ConsentIdentity }>;
  /** New tokens from a refresh token; `auth_revoked` when the grant is gone. */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Revokes the grant where the provider allows it; false where it has no such endpoint. */
  revoke(token: string): Promise<boolean>;
  /**
   * What a grant's scopes leave out, each as the permission to allow in the words of the provider's
   * consent screen: `mail` (sync cannot run) and `calendar` (scheduling cannot run). Only where the
   * consent screen lets the user untick scopes (Google's granular consent); elsewhere absent.
   */
  missingAccess?(scopes: readonly string[]): { mail?: string; calendar?: string };
}

/** Tenant-wide consent by an administrator (Microsoft only). */
export interface AdminConsent {
  /** The provider's admin-consent page. */
  url(input: { redirectUri: string; state: string }): Promise<URL>;
  /** True when the provider confirms that `tenantId` admitted the app (a redirect's word alone proves nothing). */
  verify(tenantId: string): Promise<boolean>;
}

/**
 * A push notification as the app acts on it: about a mailbox, authenticated by the transport (Gmail's
 * Pub/Sub push carries a signed token), or about a subscription, to be authenticated by its clientState.
 */
export type PushNotification =
  | { kind: 'mailbox'; address: string }
  | {
      kind: 'subscription';
      subscriptionId: string;
      clientState: string | undefined;
      lifecycleEvent?: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' | undefined;
    };

export interface WebhookRequest {
  authorization: string | undefined;
  body: unknown;
}

export interface ProviderAdapter {
  oauth: OAuthClient;
  adminConsent?: AdminConsent;
  mail?: MailSource;
  /** R18: free/busy and interview events with a Meet (Google) or Teams (Microsoft) link. */
  calendar?: CalendarSource;
  push?: PushChannel;
  /**
   * Reads a webhook request into notifications, with how many of its entries were left unread; throws when
   * the request is not authentic or not well-formed as a whole.
   */
  readNotifications?: (
    request: WebhookRequest,
  ) => Promise<{ notifications: PushNotification[]; ignored: number }>;
  /** The largest webhook body the provider sends, in bytes; larger ones are refused unread. */
  webhookBodyLimit?: number;
  /** True when the webhook must first answer a `validationToken` handshake (Graph). */
  webhookHandshake?: boolean;
  /** How long before its expiry a push channel is renewed (Gmail asks for a daily watch; Graph is shorter-lived). */
  pushRenewMarginMs?: number;
}

/** A mailbox participant as the provider reports it. */
export interface Address {
  name?: string | undefined;
  address: string;
}

/**
 * What sync decides on before downloading a body (R9–R11, R13): participants, dates and where the message
 * sits. `flags` are provider-neutral readings of Gmail labels or the Graph folder.
 */
export interface MessageHeaders {
  /** Gmail message id, or Graph immutable id. */
  id: string;
  /** Gmail threadId, or Graph conversationId. */
  threadId: string;
  /** RFC 5322 Message-ID, with angle brackets, when present. */
  rfcMessageId: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  /** Only ever present on mail the mailbox sent. */
  bcc: Address[];
  subject: string;
  /** The Date header / sentDateTime. */
  sentAt: Date | null;
  /** When the mailbox got it: Gmail internalDate / Graph receivedDateTime. */
  receivedAt: Date;
  flags: { draft: boolean; spam: boolean; trash: boolean; chat: boolean; sent: boolean };
  /** The whole message's size in bytes, when the headers tell it (Gmail `sizeEstimate`). */
  size?: number | undefined;
}

/**
 * What is read of a message too large to download whole: its text parts (each with its Content-Type,
 * charset included, and its decoded bytes, cut at a cap) and a description of each attachment.
 */
export interface MessageSummary {
  parts: { contentType: string; content: Buffer }[];
  attachments: {
    filename: string | null;
    contentType: string;
    size: number;
    contentId?: string | undefined;
    inline: boolean;
  }[];
  /** True when a text part was cut or left out. */
  cut: boolean;
}

/**
 * One change to act on, already definitive: `upsert` means the message exists and is not deleted (new,
 * restored from Trash, or moved into a tracked folder); `delete` means deleted or moved to Trash (R13).
 * An adapter confirms ambiguous reports (Graph's `@removed`) before returning them.
 */
export type MailChange =
  | { kind: 'upsert'; id: string; headers?: MessageHeaders | undefined }
  | { kind: 'delete'; id: string };

/** An adapter's sync position, opaque to everyone else and stored as JSON. */
export type MailCursor = Record<string, unknown>;

export interface ChangePage {
  changes: MailChange[];
  /** Where the next page starts; commit it together with the page's writes. */
  cursor: MailCursor;
  /** True when more changes are waiting right now. */
  more: boolean;
}

export interface MailSource {
  /**
   * The cursor for "everything after now", which also catches up on mail received since `since` (R9's
   * anchor when `since` is the moment of authorization; backfill or recovery when earlier).
   */
  anchor(accessToken: string, since: Date): Promise<MailCursor>;
  /** The next page of changes after `cursor`; `cursor_expired` when the provider forgot it. */
  changes(accessToken: string, cursor: MailCursor): Promise<ChangePage>;
  /** Headers of messages by id; null for ids that no longer exist. */
  headers(accessToken: string, ids: string[]): Promise<Map<string, MessageHeaders | null>>;
  /**
   * Ids of the messages whose RFC 5322 Message-ID is exactly `rfcMessageId` (angle brackets included), in
   * every folder or label sync decides on, spam and drafts included; at most two, from one search call.
   * Nothing of the messages but their ids is read. For R19's lookup of a message sync never looked at.
   */
  findByMessageId(accessToken: string, rfcMessageId: string): Promise<string[]>;
  /** Whole RFC 5322 messages by id; null for ids that no longer exist. Only ever called for matches. */
  raw(accessToken: string, ids: string[]): Promise<Map<string, Buffer | null>>;
  /** Sizes in bytes of whole messages by id, for those the headers did not tell; unknown ids are absent. */
  sizes(accessToken: string, ids: string[]): Promise<Map<string, number>>;
  /**
   * A message's text parts (each cut at `maxPartBytes`) and attachment descriptions, without downloading
   * its attachments; null when it no longer exists. Only ever called for matches over the size cap.
   */
  summary(accessToken: string, id: string, maxPartBytes: number): Promise<MessageSummary | null>;
}

/** Push state to keep on the connection (a Gmail watch, or a Graph subscription). */
export interface PushState {
  /** Graph subscription id; absent for Gmail. */
  subscriptionId?: string | undefined;
  /** Secret echoed back in every Graph notification. */
  clientState?: string | undefined;
  expiresAt: Date;
}

export interface PushChannel {
  /** Starts notifications for the mailbox. */
  start(accessToken: string, input: { clientState: string }): Promise<PushState>;
  /** Extends them before they expire. */
  renew(accessToken: string, state: PushState): Promise<PushState>;
  /** Stops them; already gone counts as stopped. */
  stop(accessToken: string, state: PushState): Promise<void>;
}

/** A busy stretch of the mailbox owner's calendar; `tentative` counts as busy for scheduling (R18). */
export interface BusyInterval {
  start: Date;
  end: Date;
  status: 'busy' | 'tentative' | 'out_of_office';
}

/** The interview's conference: `pending` while the provider is still making it, `failed` when it could not. */
export interface Conference {
  status: 'ready' | 'pending' | 'failed';
  /** The join link (Meet `hangoutLink` / Teams `joinUrl`) once `ready`. */
  url?: string | undefined;
}

/** An interview event as the calendar holds it. */
export interface CalendarEvent {
  /** Google event id / Graph event id. */
  id: string;
  /** Stable for the event's whole life: moves keep it. */
  iCalUid: string;
  start: Date;
  end: Date;
  /** `cancelled` when deleted in the calendar or declined by its owner (Graph `responseStatus`, Google `status`). */
  status: 'confirmed' | 'cancelled';
  conference: Conference | null;
}

export interface NewCalendarEvent {
  /**
   * The caller's idempotency key, the same on every retry of one creation: Google's client-chosen event
   * id (base32hex: a–v and 0–9, 5–1024 characters), Graph's `transactionId`. A retry never makes a second event.
   */
  key: string;
  subject: string;
  /** Plain text. */
  description: string;
  start: Date;
  end: Date;
  /** IANA zone the event is shown in. */
  timeZone: string;
  attendee: { name: string; address: string };
  /** Ask for a Meet (Google) or Teams (Microsoft) link. */
  conference: boolean;
}

export interface CalendarSource {
  /**
   * Whether a grant's scopes (`mailbox_connections.scopes`) let this adapter read free/busy and write
   * events: scheduling refuses a connection whose grant lacks them (R3, R7).
   */
  hasCalendarScope(scopes: readonly string[]): boolean;
  /** Busy and tentative time of `address`'s own calendar within [start, end). */
  freeBusy(accessToken: string, address: string, range: { start: Date; end: Date }): Promise<BusyInterval[]>;
  /**
   * Creates the event (idempotent by `key`) with the provider sending the invitation; while its conference
   * is `pending` it is read again a few times before returning.
   */
  createEvent(accessToken: string, event: NewCalendarEvent): Promise<CalendarEvent>;
  /** The event, or null when it no longer exists. */
  getEvent(accessToken: string, id: string): Promise<CalendarEvent | null>;
  /** Moves the event, keeping its id, iCalUID and conference; attendees are told by the provider. */
  moveEvent(
    accessToken: string,
    id: string,
    time: { start: Date; end: Date; timeZone: string },
  ): Promise<CalendarEvent>;
  /** Cancels it (attendees told); already gone counts as cancelled. */
  cancelEvent(accessToken: string, id: string): Promise<void>;
}
