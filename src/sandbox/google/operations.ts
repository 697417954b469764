/**
 * The API methods the emulator serves: operation id (for faults and counters), quota units (Gmail's
 * "Usage limits" page: per-method units; Calendar counts requests), and the scopes each accepts (from the
 * methods' "Authorization scopes" sections; any one of them suffices).
 */

const GMAIL_FULL = [
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/gmail.readonly',
];
const GMAIL_ANY = [...GMAIL_FULL, 'https://www.googleapis.com/auth/gmail.metadata'];
const CAL_WRITE = [
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.events.owned',
];
const CAL_READ = [
  ...CAL_WRITE,
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.events.readonly',
  'https://www.googleapis.com/auth/calendar.events.owned.readonly',
];
const CAL_FREEBUSY = [
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/calendar.readonly',
  'https://www.googleapis.com/auth/calendar.freebusy',
  'https://www.googleapis.com/auth/calendar.events.freebusy',
];

export const METADATA_SCOPE = 'https://www.googleapis.com/auth/gmail.metadata';

export interface Operation {
  units: number;
  scopes: string[];
  service: 'gmail.googleapis.com' | 'calendar-json.googleapis.com';
  /** The RPC name Google reports in `ErrorInfo.metadata.method`. */
  method: string;
  /** Gmail methods spend the per-user quota window. */
  quota: boolean;
}

const gmail = (units: number, scopes: string[], method: string): Operation => ({
  units,
  scopes,
  service: 'gmail.googleapis.com',
  method: `caribou.api.proto.MailboxService.${method}`,
  quota: true,
});
const calendar = (scopes: string[], method: string): Operation => ({
  units: 1,
  scopes,
  service: 'calendar-json.googleapis.com',
  method: `calendar.v3.${method}`,
  quota: false,
});

export const OPERATIONS = {
  'gmail.users.getProfile': gmail(
    1,
    [...GMAIL_ANY, 'https://www.googleapis.com/auth/gmail.compose'],
    'GetProfile',
  ),
  'gmail.users.messages.list': gmail(5, GMAIL_ANY, 'ListMessages'),
  'gmail.users.messages.get': gmail(5, GMAIL_ANY, 'GetMessage'),
  'gmail.users.messages.attachments.get': gmail(5, GMAIL_FULL, 'GetAttachment'),
  'gmail.users.history.list': gmail(2, GMAIL_ANY, 'ListHistory'),
  'gmail.users.threads.list': gmail(10, GMAIL_ANY, 'ListThreads'),
  'gmail.users.threads.get': gmail(10, GMAIL_ANY, 'GetThread'),
  'gmail.users.labels.list': gmail(
    1,
    [...GMAIL_ANY, 'https://www.googleapis.com/auth/gmail.labels'],
    'ListLabels',
  ),
  'gmail.users.watch': gmail(100, GMAIL_ANY, 'Watch'),
  'gmail.users.stop': gmail(50, GMAIL_ANY, 'Stop'),
  'calendar.freebusy.query': calendar(CAL_FREEBUSY, 'Freebusy.Query'),
  'calendar.events.insert': calendar(CAL_WRITE, 'Events.Insert'),
  'calendar.events.get': calendar(CAL_READ, 'Events.Get'),
  'calendar.events.patch': calendar(CAL_WRITE, 'Events.Patch'),
  'calendar.events.delete': calendar(CAL_WRITE, 'Events.Delete'),
} satisfies Record<string, Operation>;

export type OperationId = keyof typeof OPERATIONS;
