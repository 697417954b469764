/**
 * Gmail search (`q`, "Search operators you can use with Gmail" and the API's "Searching for messages"),
 * parsed into a tree and compiled into a predicate. Grammar, as Gmail reads it:
 *   - terms separated by spaces must all match (`AND` may be written); `a OR b` and `{a b}` match either,
 *     and OR binds tighter than the space (`a b OR c` is a and (b or c)); `( … )` groups;
 *   - `-term` negates a term or a group; `"…"` is a phrase;
 *   - `operator:value`, where the value may be a phrase or a group that applies the operator to each item
 *     (`from:(ann@x.example OR bob@y.example)`, `to:{a b}`).
 * Operators: `from:`, `to:` (To, Cc and Bcc), `cc:`, `bcc:`, `subject:`, `label:`, `in:`, `is:`
 * (unread, read, starred, important), `category:`, `has:` (attachment, userlabels, nouserlabels),
 * `filename:`, `after:`/`before:`/`older:`/`newer:` (epoch seconds, or yyyy/mm/dd read as midnight
 * Pacific time, as the API guide says), `newer_than:`/`older_than:` (`2d`, `3m`, `1y`), `rfc822msgid:`
 * (with or without angle brackets). Bare words and phrases match sender, recipients, subject and text.
 * A Gmail operator the sandbox does not implement (`larger:`, `list:`, `AROUND`, `has:drive` …), a bad
 * date or unbalanced brackets throw `UnsupportedQuery`, which the API answers 400 invalidArgument: a
 * search the sandbox cannot do must never pass for one that found nothing.
 */
import { wallClock } from '../time-zone.ts';
import type { Mailbox } from './mailbox.ts';
import type { StoredMessage } from './message.ts';

export type Predicate = (message: StoredMessage) => boolean;

/** A query the sandbox cannot answer faithfully. */
export class UnsupportedQuery extends Error {}

/** The parsed query. */
export type QueryNode =
  | { kind: 'and'; items: QueryNode[] }
  | { kind: 'or'; items: QueryNode[] }
  | { kind: 'not'; item: QueryNode }
  | { kind: 'term'; operator: string | undefined; value: string };

/** Gmail operators the sandbox does not implement: refused, never guessed at. */
const UNSUPPORTED = new Set(['deliveredto', 'list', 'larger', 'smaller', 'size', 'around']);
const SUPPORTED = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'label',
  'in',
  'is',
  'category',
  'has',
  'filename',
  'after',
  'before',
  'older',
  'newer',
  'older_than',
  'newer_than',
  'rfc822msgid',
]);

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
const CATEGORIES: Record<string, string> = {
  primary: 'CATEGORY_PERSONAL',
  personal: 'CATEGORY_PERSONAL',
  social: 'CATEGORY_SOCIAL',
  promotions: 'CATEGORY_PROMOTIONS',
  updates: 'CATEGORY_UPDATES',
  forums: 'CATEGORY_FORUMS',
};

type Token =
  | { type: 'open' | 'close' | 'brace' | 'unbrace' | 'not' | 'or' }
  | { type: 'word'; text: string }
  | { type: 'phrase'; text: string }
  | { type: 'operator'; name: string };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const atTermStart = () => i === 0 || /[\s({]/.test(q[i - 1] ?? ' ');
  while (i < q.length) {
    const char = q[i] ?? '';
    if (/\s/.test(char)) {
      i += 1;
    } else if ('(){}'.includes(char)) {
      tokens.push({
        type: ({ '(': 'open', ')': 'close', '{': 'brace', '}': 'unbrace' } as const)[char as '('],
      });
      i += 1;
    } else if (char === '-' && atTermStart() && i + 1 < q.length && !/\s/.test(q[i + 1] ?? '')) {
      tokens.push({ type: 'not' });
      i += 1;
    } else if (char === '"') {
      const end = q.indexOf('"', i + 1);
      if (end === -1) throw new UnsupportedQuery('unbalanced quotes');
      tokens.push({ type: 'phrase', text: q.slice(i + 1, end) });
      i = end + 1;
    } else {
      let end = i;
      while (end < q.length && !/[\s(){}"]/.test(q[end] ?? '')) end += 1;
      const text = q.slice(i, end);
      i = end;
      const operator = /^([A-Za-z_0-9]+):(.*)$/.exec(text);
      if (text === 'OR') tokens.push({ type: 'or' });
      else if (text === 'AND') continue;
      else if (text === 'AROUND') throw new UnsupportedQuery('AROUND is not supported by the sandbox');
      else if (operator && operator[2] === '') tokens.push({ type: 'operator', name: operator[1] ?? '' });
      else tokens.push({ type: 'word', text });
    }
  }
  return tokens;
}

/** Parses a `q` string into its tree; throws `UnsupportedQuery` for what the sandbox cannot answer. */
export function parseQuery(q: string): QueryNode {
  const tokens = tokenize(q);
  let at = 0;
  const peek = () => tokens[at];

  const sequence = (operator: string | undefined, until: 'close' | 'unbrace' | undefined): QueryNode[] => {
    const items: QueryNode[] = [];
    for (;;) {
      const token = peek();
      if (token === undefined) {
        if (until) throw new UnsupportedQuery('unbalanced brackets');
        return items;
      }
      if (token.type === until) {
        at += 1;
        return items;
      }
      if (token.type === 'close' || token.type === 'unbrace')
        throw new UnsupportedQuery('unbalanced brackets');
      items.push(disjunction(operator));
    }
  };
  const disjunction = (operator: string | undefined): QueryNode => {
    const items = [unary(operator)];
    while (peek()?.type === 'or') {
      at += 1;
      if (peek() === undefined) throw new UnsupportedQuery('OR needs a term on each side');
      items.push(unary(operator));
    }
    return items.length === 1 ? (items[0] as QueryNode) : { kind: 'or', items };
  };
  const unary = (operator: string | undefined): QueryNode => {
    const token = peek();
    if (token?.type === 'not') {
      at += 1;
      return { kind: 'not', item: unary(operator) };
    }
    return primary(operator);
  };
  const primary = (operator: string | undefined): QueryNode => {
    const token = tokens[at++];
    switch (token?.type) {
      case 'open':
        return { kind: 'and', items: sequence(operator, 'close') };
      case 'brace':
        return { kind: 'or', items: sequence(operator, 'unbrace') };
      case 'phrase':
        return term(operator, token.text);
      case 'word': {
        const pair = /^([A-Za-z_0-9]+):(.+)$/.exec(token.text);
        return pair && operator === undefined ? term(pair[1], pair[2] ?? '') : term(operator, token.text);
      }
      case 'operator': {
        if (operator !== undefined) throw new UnsupportedQuery(`${token.name}: inside ${operator}:`);
        const name = token.name.toLowerCase();
        const next = peek();
        if (next === undefined || next.type === 'or' || next.type === 'close' || next.type === 'unbrace')
          throw new UnsupportedQuery(`${name}: needs a value`);
        if (next.type === 'word' || next.type === 'phrase') {
          at += 1;
          return term(name, next.text);
        }
        return primary(name);
      }
      default:
        throw new UnsupportedQuery('a term is missing');
    }
  };
  const term = (operator: string | undefined, value: string): QueryNode => {
    const name = operator?.toLowerCase();
    if (name !== undefined && UNSUPPORTED.has(name))
      throw new UnsupportedQuery(`${name}: is not supported by the sandbox`);
    // `foo:bar` with an operator Gmail does not have is text, as Gmail reads it.
    if (name !== undefined && !SUPPORTED.has(name))
      return { kind: 'term', operator: undefined, value: `${operator}:${value}` };
    return { kind: 'term', operator: name, value };
  };

  const items = sequence(undefined, undefined);
  return items.length === 1 ? (items[0] as QueryNode) : { kind: 'and', items };
}

/** Compiles a `q` string into a predicate; also reports whether it names Spam or Trash itself. */
export function compileQuery(
  q: string,
  mailbox: Mailbox,
  now: number,
): { test: Predicate; mentionsSpamTrash: boolean } {
  const tree = parseQuery(q);
  let mentionsSpamTrash = false;
  const compile = (node: QueryNode): Predicate => {
    switch (node.kind) {
      case 'and': {
        const tests = node.items.map(compile);
        return (message) => tests.every((test) => test(message));
      }
      case 'or': {
        const tests = node.items.map(compile);
        return (message) => tests.some((test) => test(message));
      }
      case 'not': {
        const test = compile(node.item);
        return (message) => !test(message);
      }
      case 'term':
        if (
          node.operator &&
          ['in', 'label', 'is'].includes(node.operator) &&
          /^(spam|trash)$/i.test(node.value)
        )
          mentionsSpamTrash = true;
        return termTest(node.operator, node.value, mailbox, now);
    }
  };
  return { test: compile(tree), mentionsSpamTrash };
}

function termTest(operator: string | undefined, value: string, mailbox: Mailbox, now: number): Predicate {
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
    case 'newer_than': {
      const at = now - parseAge(value);
      return (message) => message.internalDate > at;
    }
    case 'older_than': {
      const at = now - parseAge(value);
      return (message) => message.internalDate < at;
    }
    case 'in':
    case 'label':
      if (lower === 'anywhere') return () => true;
      return labelTest(lower, mailbox, operator);
    case 'is':
      if (lower === 'read') return (message) => !message.labelIds.includes('UNREAD');
      if (!['unread', 'starred', 'important'].includes(lower))
        throw new UnsupportedQuery(`is:${lower} is not supported by the sandbox`);
      return labelTest(lower, mailbox, operator);
    case 'category': {
      const id = CATEGORIES[lower];
      if (!id) throw new UnsupportedQuery(`category:${lower} is not supported by the sandbox`);
      return (message) => message.labelIds.includes(id);
    }
    case 'has':
      if (lower === 'attachment') return (message) => message.search.filenames.length > 0;
      if (lower === 'userlabels') return (message) => message.labelIds.some((id) => id.startsWith('Label_'));
      if (lower === 'nouserlabels')
        return (message) => !message.labelIds.some((id) => id.startsWith('Label_'));
      throw new UnsupportedQuery(`has:${lower} is not supported by the sandbox`);
    case 'filename':
      return (message) =>
        message.search.filenames.some(
          (name) => name === lower || name.endsWith(`.${lower}`) || name.includes(lower),
        );
    case 'from':
      return (message) => message.search.from.includes(lower);
    case 'to':
      return (message) =>
        message.search.to.includes(lower) ||
        message.search.cc.includes(lower) ||
        message.search.bcc.includes(lower);
    case 'cc':
      return (message) => message.search.cc.includes(lower);
    case 'bcc':
      return (message) => message.search.bcc.includes(lower);
    case 'subject':
      return (message) => message.search.subject.includes(lower);
    case 'rfc822msgid': {
      const wanted = bare(lower);
      return (message) => wanted !== '' && bare(message.messageId.toLowerCase()) === wanted;
    }
    default:
      return (message) =>
        message.search.subject.includes(lower) ||
        message.search.text.includes(lower) ||
        message.search.from.includes(lower) ||
        message.search.to.includes(lower) ||
        message.search.cc.includes(lower) ||
        message.search.bcc.includes(lower);
  }
}

/** `in:`/`label:`/`is:` naming a system label, a category or a user label (spaces written as `-`). */
function labelTest(name: string, mailbox: Mailbox, operator: string): Predicate {
  const alias = IN_ALIASES[name];
  if (alias) return (message) => message.labelIds.includes(alias);
  const category = /^category[_:-]?(\w+)$/.exec(name);
  if (category) {
    const id = CATEGORIES[category[1] ?? ''] ?? `CATEGORY_${category[1]?.toUpperCase()}`;
    return (message) => message.labelIds.includes(id);
  }
  if (operator === 'in' && ['snoozed', 'muted', 'scheduled'].includes(name))
    throw new UnsupportedQuery(`in:${name} is not supported by the sandbox`);
  // A label that does not exist matches nothing, in Gmail as here.
  const ids = [...mailbox.labels.values()]
    .filter(
      (label) =>
        label.id.toLowerCase() === name ||
        label.name.toLowerCase().replace(/[\s/]+/g, '-') === name.replace(/[\s/]+/g, '-'),
    )
    .map((label) => label.id);
  return (message) => ids.some((id) => message.labelIds.includes(id));
}

/** A Message-ID without its angle brackets: Gmail finds it written either way. */
function bare(messageId: string): string {
  return messageId.replace(/^<|>$/g, '');
}

/** Epoch seconds, or a yyyy/mm/dd (or mm/dd/yyyy) date taken as midnight in America/Los_Angeles. */
function parseDate(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ymd = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  const [year, month, day] = ymd
    ? [ymd[1], ymd[2], ymd[3]]
    : mdy
      ? [mdy[3], mdy[1], mdy[2]]
      : [undefined, undefined, undefined];
  if (year === undefined) throw new UnsupportedQuery(`not a date: ${value}`);
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day));
  if (Number.isNaN(utc) || Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31)
    throw new UnsupportedQuery(`not a date: ${value}`);
  return utc - pacificOffsetMs(utc);
}

/** `newer_than:`/`older_than:` ages: days, months (30 days) or years (365 days). */
function parseAge(value: string): number {
  const age = /^(\d+)([dmy])$/i.exec(value);
  if (!age) throw new UnsupportedQuery(`not an age (like 2d, 3m, 1y): ${value}`);
  const days = { d: 1, m: 30, y: 365 }[(age[2] ?? 'd').toLowerCase() as 'd'];
  return Number(age[1]) * days * 86_400_000;
}

/** Offset of Pacific time from UTC at (about) the given instant, e.g. -8 h in winter. */
function pacificOffsetMs(at: number): number {
  const instant = at + 8 * 3_600_000;
  return wallClock(instant, 'America/Los_Angeles') - instant;
}
