/**
 * Everything the Google emulator holds in memory, in one object the route modules share: users and their
 * mailboxes and calendars, OAuth grants, the quota window, the signing key, and the options in force.
 */
import type { SandboxCore } from '../core.ts';
import type { SigningKey } from '../keys.ts';
import { createRateWindow, type RateWindow } from '../rate-window.ts';
import type { Calendar, ConferenceFault } from './calendar-store.ts';
import { createGrants, type Grants } from './grants.ts';
import { createMailbox, type HistoryRecord, type Mailbox, type MailboxDeps } from './mailbox.ts';

/** Options of the Google emulator (all optional). */
export interface GoogleOptions {
  /** How long Gmail keeps history records; older `startHistoryId`s answer 404 (default 7 days). */
  historyRetentionMs?: number;
  /** Where Pub/Sub pushes mailbox changes (the app's /webhooks/google). */
  pushEndpoint?: string;
  /** The `aud` claim of push JWTs (default: the push endpoint). */
  pushAudience?: string;
  /** The service account that signs push JWTs (`email` claim). */
  pushServiceAccount?: string;
  /** The `iss` claim of push JWTs (default `{base}/google`; real Pub/Sub uses https://accounts.google.com). */
  pushIssuer?: string;
  /** The Pub/Sub subscription named in push bodies (default `projects/talentsync-sandbox/subscriptions/gmail-push`). */
  pushSubscription?: string;
  /**
   * How Meet conferences are made where a calendar sets no conference fault of its own (default: at once,
   * `success` in the insert answer); `pending`, `stuck` or `fail` as the control API's conference fault.
   */
  conferenceFault?: ConferenceFault | undefined;
  /** Gmail's per-user quota, units per minute (default 15,000). */
  quotaUnitsPerMinute?: number;
}

/**
 * The Pub/Sub push subscription Gmail notifications go out through, in the shape of Pub/Sub's
 * `Subscription` resource (name, topic, `pushConfig.pushEndpoint`, `pushConfig.oidcToken`), plus the
 * issuer the sandbox signs push JWTs as. Set from the options at start, and through the control API.
 */
export interface PushSubscription {
  name: string | undefined;
  /** Only watches on this topic push through it; absent: every topic. */
  topic: string | undefined;
  pushConfig: {
    pushEndpoint: string;
    oidcToken: { serviceAccountEmail: string | undefined; audience: string | undefined };
  };
  issuer: string | undefined;
}

export interface GoogleUser {
  /** The stable numeric `sub`. */
  id: string;
  email: string;
  name: string;
  /** The Workspace domain; absent for consumer (gmail.com, googlemail.com) accounts. */
  hd: string | undefined;
}

export interface GoogleState {
  core: SandboxCore;
  options: GoogleOptions;
  key: SigningKey;
  users: Map<string, GoogleUser>;
  mailboxes: Map<string, Mailbox>;
  calendars: Map<string, Calendar>;
  grants: Grants;
  quota: RateWindow;
  /** Where mailbox changes are pushed; none: watches record changes but nothing is pushed. */
  pushSubscription: PushSubscription | undefined;
  deps: MailboxDeps;
  /** The issuer, `{base}/google`, read per request because the port is known only after listen. */
  issuer(): string;
  reset(): void;
}

const CONSUMER_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** The emulator's state; `onChange` hears every mailbox change (push hangs off it). */
export function createState(
  core: SandboxCore,
  options: GoogleOptions,
  key: SigningKey,
  onChange: (state: GoogleState, mailbox: Mailbox, record: HistoryRecord) => void,
): GoogleState {
  const state: GoogleState = {
    core,
    options,
    key,
    users: new Map(),
    mailboxes: new Map(),
    calendars: new Map(),
    grants: createGrants(),
    quota: createRateWindow(core.clock, options.quotaUnitsPerMinute ?? 15_000, 60_000),
    pushSubscription: subscriptionFromOptions(options),
    deps: {
      random: core.random,
      now: () => core.clock.now(),
      changed: (mailbox, record) => onChange(state, mailbox, record),
    },
    issuer: () => `${core.baseUrl}/google`,
    reset() {
      state.users.clear();
      state.mailboxes.clear();
      state.calendars.clear();
      state.grants.reset();
      state.quota.reset();
      state.pushSubscription = subscriptionFromOptions(options);
    },
  };
  return state;
}

/** The push subscription the in-process options describe, if they name an endpoint. */
function subscriptionFromOptions(options: GoogleOptions): PushSubscription | undefined {
  if (!options.pushEndpoint) return undefined;
  return {
    name: options.pushSubscription,
    topic: undefined,
    pushConfig: {
      pushEndpoint: options.pushEndpoint,
      oidcToken: { serviceAccountEmail: options.pushServiceAccount, audience: options.pushAudience },
    },
    issuer: options.pushIssuer,
  };
}

/** Creates a user and its mailbox; the domain decides Workspace (`hd`) versus consumer. */
export function addUser(state: GoogleState, email: string, name: string): GoogleUser {
  const address = email.toLowerCase();
  const domain = address.split('@')[1] ?? '';
  let id = '1';
  for (let i = 0; i < 20; i += 1) id += String(Math.floor(state.core.random.next() * 10));
  const user: GoogleUser = {
    id,
    email: address,
    name,
    hd: CONSUMER_DOMAINS.has(domain) ? undefined : domain,
  };
  state.users.set(address, user);
  state.mailboxes.set(address, createMailbox(address, state.core.random));
  return user;
}
