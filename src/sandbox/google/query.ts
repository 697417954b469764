/**
 * The subset of Gmail search (`q`, "Search operators you can use with Gmail") the sandbox understands:
 * `after:`/`before:`/`older:`/`newer:` (epoch seconds, or yyyy/mm/dd read as midnight Pacific time, as the
 * Gmail API's "Searching for messages" guide says), `in:`/`label:`, `is:`, `from:`, `to:`, `subject:`,
 * `rfc822msgid:` (the Message-ID header, with or without its angle brackets, case-insensitive), `-` negation,
 * and bare words matched against sender, recipients, subject and text.
 */
import { wallClock } from '../time-zone.ts';
import type { Mailbox } from './mailbox.ts';
import type { StoredMessage } from './message.ts';

export type Predicate = (message: StoredMessage) => boolean;

const IN_ALIASES: Record<string, string> = {
  inbox: 'INBOX',
  sent: 'SENT',
  trash: 'TRASH',
  spam: 'SPAM',
  draft: 'DRAFT',
  drafts: 'DRAFT',
  starred: 'STARRED',
  important: 'IMPORTANT',
  unread: 'UNREAD',
  chats: 'CHAT',
};

/** Compiles a `q` string into a predicate; also reports whether it names Spam or Trash itself. */
export function compileQuery(q: string, mailbox: Mailbox): { test: Predicate; mentionsSpamTrash: boolean } {
  const tests: Predicate[] = [];
  let mentionsSpamTrash = false;
  for (const match of q.matchAll(/(-?)(?:(\w+):)?("[^"]*"|\S+)/g)) {
    const negate = match[1] === '-';
    const operator = match[2]?.toLowerCase();
    const value = (match[3] ?? '').replace(/^"|"$/g, '');
    const test = termTest(operator, value, mailbox);
    if (operator && ['in', 'label', 'is'].includes(operator) && /^(spam|trash)$/i.test(value))
      mentionsSpamTrash = true;
    tests.push(negate ? (message) => !test(message) : test);
  }
  return { test: (message) => tests.every((test) => test(message)), mentionsSpamTrash };
}

function termTest(operator: string | undefined, value: string, mailbox: Mailbox): Predicate {
  const lower = value.toLowerCase();
  switch (operator) {
    case 'after':
    case 'newer': {
      const at = parseDate(value);
      return (message) => message.internalDate >= at;
    }
    case 'before':
    case 'older': {
      const at = parseDate(value);
      return (message) => message.internalDate < at;
    }
    case 'in':
    case 'label':
    case 'is': {
      if (lower === 'anywhere') return () => true;
      if (lower === 'read') return (message) => !message.labelIds.includes('UNREAD');
      const id = labelId(lower, mailbox);
      return (message) => id !== undefined && message.labelIds.includes(id);
    }
    case 'from':
      return (message) => message.search.from.includes(lower);
    case 'to':
      return (message) => message.search.to.includes(lower);
    case 'subject':
      return (message) => message.search.subject.includes(lower);
    case 'rfc822msgid': {
      const wanted = bare(lower);
      return (message) => wanted !== '' && bare(message.messageId.toLowerCase()) === wanted;
    }
    default: {
      const word = operator ? `${operator}:${lower}` : lower;
      return (message) =>
        message.search.subject.includes(word) ||
        message.search.text.includes(word) ||
        message.search.from.includes(word) ||
        message.search.to.includes(word);
    }
  }
}

/** A Message-ID without its angle brackets: Gmail finds it written either way. */
function bare(messageId: string): string {
  return messageId.replace(/^<|>$/g, '');
}

function labelId(name: string, mailbox: Mailbox): string | undefined {
  const alias = IN_ALIASES[name];
  if (alias) return alias;
  const category = /^category[_:-]?(\w+)$/.exec(name);
  if (category) return `CATEGORY_${category[1]?.toUpperCase()}`;
  for (const label of mailbox.labels.values()) {
    if (
      label.id.toLowerCase() === name ||
      label.name.toLowerCase().replace(/[\s/]+/g, '-') === name.replace(/[\s/]+/g, '-')
    )
      return label.id;
  }
  return undefined;
}

/** Epoch seconds, or a yyyy/mm/dd date taken as midnight in America/Los_Angeles; NaN matches nothing. */
function parseDate(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!date) return Number.NaN;
  const utc = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
  return utc - pacificOffsetMs(utc);
}

/** Offset of Pacific time from UTC at (about) the given instant, e.g. -8 h in winter. */
function pacificOffsetMs(at: number): number {
  const instant = at + 8 * 3_600_000;
  return wallClock(instant, 'America/Los_Angeles') - instant;
}
