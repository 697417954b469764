import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMailbox } from '../../../src/sandbox/google/mailbox.ts';
import { type StoredMessage, storeMessage } from '../../../src/sandbox/google/message.ts';
import { compileQuery, parseQuery, UnsupportedQuery } from '../../../src/sandbox/google/query.ts';
import { createRandom } from '../../../src/sandbox/random.ts';

const mailbox = createMailbox('rex@acme.example', createRandom(1));
mailbox.labels.set('Label_1', { id: 'Label_1', name: 'Hiring/Backend', type: 'user' });
const NOW = Date.parse('2026-12-01T12:00:00Z');

/** A message stored as the sandbox stores deliveries, from raw RFC 5322 lines. */
function stored(
  lines: string[],
  options: { id?: string; labels?: string[]; at?: number; attachment?: string } = {},
): StoredMessage {
  const boundary = 'b0';
  const body = options.attachment
    ? [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Body text here',
        `--${boundary}`,
        `Content-Type: application/pdf; name="${options.attachment}"`,
        `Content-Disposition: attachment; filename="${options.attachment}"`,
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF').toString('base64'),
        `--${boundary}--`,
      ]
    : ['Content-Type: text/plain; charset=utf-8', '', 'Body text here'];
  const raw = Buffer.from([...lines, 'MIME-Version: 1.0', ...body, ''].join('\r\n'), 'utf8');
  const message = storeMessage(raw, {
    id: options.id ?? 'a1',
    threadId: options.id ?? 'a1',
    internalDate: options.at ?? NOW - 86_400_000,
  });
  message.labelIds = options.labels ?? ['INBOX', 'UNREAD'];
  return message;
}

const cv = stored(
  [
    'From: "Jane Roe" <jane@gmail.com>',
    'To: rex@acme.example, ann@acme.example',
    'Cc: Hiring Log <log@acme.example>',
    'Subject: My CV for the backend role',
    'Message-ID: <cv-1@gmail.com>',
  ],
  { attachment: 'Jane_CV.pdf', labels: ['INBOX', 'UNREAD', 'Label_1'], at: NOW - 3 * 86_400_000 },
);
const note = stored(
  [
    'From: Bob <bob@people.example>',
    'To: rex@acme.example',
    'Subject: Quick question',
    'Message-ID: <q-1@people.example>',
  ],
  { id: 'a2', labels: ['INBOX'], at: NOW - 400 * 86_400_000 },
);

const matches = (q: string) => {
  const { test } = compileQuery(q, mailbox, NOW);
  return [cv, note].filter(test).map((message) => message.id);
};

describe('Gmail search q: supported operators', () => {
  const cases: [string, string[]][] = [
    ['has:attachment', ['a1']],
    ['-has:attachment', ['a2']],
    ['filename:pdf', ['a1']],
    ['newer_than:7d', ['a1']],
    ['older_than:1y', ['a2']],
    ['newer_than:2m', ['a1']],
    ['after:2026/11/01', ['a1']],
    ['before:2026-11-01', ['a2']],
    [`after:${Math.floor((NOW - 5 * 86_400_000) / 1000)}`, ['a1']],
    ['from:jane@gmail.com OR from:bob@people.example', ['a1', 'a2']],
    ['from:(jane@gmail.com OR bob@people.example)', ['a1', 'a2']],
    ['from:{jane@gmail.com bob@people.example}', ['a1', 'a2']],
    ['{from:jane@gmail.com from:nobody@x.example}', ['a1']],
    ['to:ann@acme.example', ['a1']],
    ['to:log@acme.example', ['a1']],
    ['cc:log@acme.example', ['a1']],
    ['cc:rex@acme.example', []],
    ['to:(ann@acme.example rex@acme.example)', ['a1']],
    ['"backend role"', ['a1']],
    ['"role backend"', []],
    ['subject:"quick question"', ['a2']],
    ['-from:jane@gmail.com', ['a2']],
    ['-{from:jane@gmail.com from:bob@people.example}', []],
    ['label:hiring-backend', ['a1']],
    ['label:hiring/backend', ['a1']],
    ['in:inbox is:unread', ['a1']],
    ['is:read', ['a2']],
    ['has:userlabels', ['a1']],
    ['rfc822msgid:cv-1@gmail.com', ['a1']],
    ['rfc822msgid:<q-1@people.example>', ['a2']],
    ['question OR cv', ['a1', 'a2']],
    ['jane cv', ['a1']],
    ['jane AND question', []],
    ['(jane OR bob) -question', ['a1']],
    ['http://example.com/x', []],
  ];
  for (const [q, expected] of cases) {
    it(`${q} matches ${expected.join(', ') || 'nothing'}`, () => assert.deepEqual(matches(q), expected));
  }

  it('binds OR tighter than the space between terms, as Gmail does', () => {
    assert.deepEqual(parseQuery('a b OR c'), {
      kind: 'and',
      items: [
        { kind: 'term', operator: undefined, value: 'a' },
        {
          kind: 'or',
          items: [
            { kind: 'term', operator: undefined, value: 'b' },
            { kind: 'term', operator: undefined, value: 'c' },
          ],
        },
      ],
    });
  });

  it('reports when q names Spam or Trash itself', () => {
    assert.equal(compileQuery('in:trash', mailbox, NOW).mentionsSpamTrash, true);
    assert.equal(compileQuery('from:x', mailbox, NOW).mentionsSpamTrash, false);
  });
});

describe('Gmail search q: what the sandbox cannot answer is refused, not answered empty', () => {
  for (const q of [
    'larger:10M',
    'smaller:1M',
    'size:1000',
    'list:dev@lists.example',
    'deliveredto:rex@acme.example',
    'has:drive',
    'is:muted',
    'in:snoozed',
    'category:reservations',
    'jane AROUND 3 cv',
    'after:yesterday',
    'newer_than:3w',
    '(jane',
    'jane)',
    '{jane',
    '"jane',
    'from:',
    'jane OR',
  ]) {
    it(`refuses ${JSON.stringify(q)}`, () =>
      assert.throws(() => compileQuery(q, mailbox, NOW), UnsupportedQuery));
  }
});

describe('Gmail search q: properties', () => {
  const word = fc.stringMatching(/^[a-z]{2,8}$/).filter((text) => !['or', 'and', 'around'].includes(text));
  const supported = fc.oneof(
    word,
    word.map((text) => `"${text} ${text}"`),
    word.map((text) => `from:${text}`),
    word.map((text) => `to:${text}@x.example`),
    word.map((text) => `subject:${text}`),
    fc.constantFrom('has:attachment', 'is:unread', 'in:inbox', 'label:hiring-backend', 'newer_than:3d'),
    fc.constantFrom('older_than:2y', 'after:2026/01/02', 'before:1764000000', 'rfc822msgid:<x@y>'),
  );
  const unsupported = fc.constantFrom(
    'larger:5M',
    'list:a@b.example',
    'has:drive',
    'is:muted',
    'AROUND',
    'deliveredto:x@y',
  );
  /** A query tree written out: terms, negations, OR, braces and parentheses. */
  const query = (leaf: fc.Arbitrary<string>) =>
    fc.letrec<{ q: string }>((tie) => ({
      q: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        tie('q').map((inner) => `-${inner.startsWith('-') ? `(${inner})` : inner}`),
        fc.tuple(tie('q'), tie('q')).map(([a, b]) => `${a} OR ${b}`),
        fc.array(tie('q'), { minLength: 1, maxLength: 3 }).map((items) => `{${items.join(' ')}}`),
        fc.array(tie('q'), { minLength: 1, maxLength: 3 }).map((items) => `(${items.join(' ')})`),
        fc.tuple(tie('q'), tie('q')).map(([a, b]) => `${a} ${b}`),
      ),
    })).q;

  it('a query with an operator the sandbox does not implement is always refused, wherever it sits', () => {
    fc.assert(
      fc.property(query(supported), unsupported, query(supported), (before, bad, after) => {
        assert.throws(() => compileQuery(`${before} (${bad}) ${after}`, mailbox, NOW), UnsupportedQuery);
      }),
    );
  });

  it('a query of supported operators always compiles to a predicate that answers every message', () => {
    fc.assert(
      fc.property(query(supported), (q) => {
        const { test } = compileQuery(q, mailbox, NOW);
        for (const message of [cv, note]) assert.equal(typeof test(message), 'boolean');
      }),
    );
  });

  it('a term true of a message matches it, inside any OR, and its negation does not', () => {
    const trueOfCv = fc.constantFrom(
      'from:jane@gmail.com',
      'to:ann@acme.example',
      'cc:log@acme.example',
      'subject:backend',
      '"backend role"',
      'has:attachment',
      'filename:jane_cv.pdf',
      'label:hiring-backend',
      'newer_than:4d',
      'after:2026/11/20',
      'rfc822msgid:<cv-1@gmail.com>',
      'is:unread',
    );
    fc.assert(
      fc.property(trueOfCv, query(supported), (term, other) => {
        assert.ok(compileQuery(term, mailbox, NOW).test(cv), term);
        assert.ok(compileQuery(`${term} OR (${other})`, mailbox, NOW).test(cv), `${term} OR (${other})`);
        assert.ok(compileQuery(`{(${other}) ${term}}`, mailbox, NOW).test(cv), `{(${other}) ${term}}`);
        assert.equal(compileQuery(`-${term}`, mailbox, NOW).test(cv), false, `-${term}`);
      }),
    );
  });
});
