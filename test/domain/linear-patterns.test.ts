import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { check } from 'recheck';
import { isEmailAddress } from '../../src/domain/email.ts';
import { sanitizeEmailHtml } from '../../src/domain/html.ts';
import { parseMessage } from '../../src/domain/mime.ts';
import { MAX_SNIPPET_INPUT, snippet } from '../../src/domain/snippet.ts';
import { MAX_SUBJECT_INPUT, normalizeSubject } from '../../src/domain/subject.ts';
import { patternWork } from '../support/pattern-work.ts';
import { constructedPatterns, literalPatterns, MAIL_FILES, type Pattern } from '../support/patterns.ts';

const PATTERNS: Pattern[] = [
  ...MAIL_FILES.flatMap(literalPatterns),
  ...(await constructedPatterns(MAIL_FILES)),
];
const SOURCES = new Set(PATTERNS.map((pattern) => pattern.source));

// Pieces of every pattern above (attribution words, prefixes, boundaries, encoded words, CSS values,
// address parts), and the whitespace and line breaks between which backtracking patterns hesitate.
const FRAGMENTS = [
  'Am ',
  'schrieb ',
  'On ',
  ' wrote:',
  'Le ',
  'a écrit :',
  ':',
  '>',
  '-- ',
  '--',
  '-',
  '_',
  ' ',
  '  ',
  '\t',
  '\r\n',
  '\n',
  '\r',
  'Re: ',
  'Fwd:',
  'AW[2]: ',
  'Re(3):',
  '[x] ',
  '[',
  ']',
  '回复：',
  'Original Message',
  '=00',
  '=?utf-8?q?a?=',
  '=?',
  '?=',
  'boundary="',
  'boundary=',
  '"',
  ';',
  'charset=',
  'Content-Type: ',
  'multipart/mixed',
  'text/plain',
  '\r\n\r\n',
  'x',
  'é',
  '1',
  '12.5',
  '.',
  '@',
  'a.b',
  '<',
  '>',
  '<id@x>',
];
const adversarial = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 40 })
  .map((parts) => parts.join(''));

/** `unit` repeated until it is at least `chars` long. */
function grow(unit: string, chars: number): string {
  return unit.repeat(Math.ceil(chars / unit.length));
}

describe('hardening: every regular expression that reads mail is linear on any input', () => {
  it('hardening: the audit reads the patterns built at load time as well as the literals', () => {
    assert.ok(
      PATTERNS.some((pattern) => pattern.file === 'src/domain/html.ts' && pattern.source.includes('rgba?')),
    );
  });

  it(`hardening: recheck finds no super-linear backtracking in the ${PATTERNS.length} patterns that read mail`, async () => {
    assert.ok(PATTERNS.length >= 40, 'the audit found the patterns');
    // The automaton checker decides from the pattern alone (no fuzzing), so the verdict is the same
    // on every run and every machine.
    const verdicts = [];
    for (const pattern of PATTERNS) {
      verdicts.push({
        ...pattern,
        verdict: await check(pattern.source, pattern.flags, { checker: 'automaton' }),
      });
    }
    const unsafe = verdicts
      .filter((entry) => entry.verdict.status !== 'safe')
      .map((entry) => `${entry.file}: /${entry.source}/${entry.flags} is ${entry.verdict.status}`);
    assert.deepEqual(unsafe, []);
  });

  it('hardening: a preview offers its patterns at most a bounded prefix of the text, however long', async () => {
    await fc.assert(
      fc.asyncProperty(adversarial, async (unit) => {
        const work = await patternWork(SOURCES, () => snippet(grow(unit, 32 * MAX_SNIPPET_INPUT)));
        assert.ok(work <= 16 * MAX_SNIPPET_INPUT, `${work} for ${JSON.stringify(unit)}`);
      }),
      { numRuns: 40, seed: 8 },
    );
    const schrieb = `Am ${'schrieb '.repeat(128 * 1024)}`;
    assert.ok((await patternWork(SOURCES, () => snippet(schrieb))) <= 16 * MAX_SNIPPET_INPUT);
  });

  it('hardening: a subject offers its patterns a bounded prefix, read once however many prefixes it stacks', async () => {
    await fc.assert(
      fc.asyncProperty(adversarial, async (unit) => {
        const work = await patternWork(SOURCES, () => normalizeSubject(grow(unit, 64 * MAX_SUBJECT_INPUT)));
        assert.ok(work <= 16 * MAX_SUBJECT_INPUT, `${work} for ${JSON.stringify(unit)}`);
      }),
      { numRuns: 40, seed: 8 },
    );
    assert.ok(
      (await patternWork(SOURCES, () => normalizeSubject('Re: '.repeat(50_000)))) <= 16 * MAX_SUBJECT_INPUT,
    );
  });

  it('hardening: reading a raw message costs pattern work linear in its size (n against 8n)', async () => {
    const headers = 'From: a@b.example\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n';
    await fc.assert(
      fc.asyncProperty(adversarial, async (unit) => {
        const small = await patternWork(SOURCES, () => parseMessage(headers + grow(unit, 4096)));
        const large = await patternWork(SOURCES, () => parseMessage(headers + grow(unit, 8 * 4096)));
        assert.ok(large <= 10 * small + 100_000, `${small} → ${large} for ${JSON.stringify(unit)}`);
      }),
      { numRuns: 40, seed: 8 },
    );
    // Parts without a blank line after their headers, behind a Latin-1 part that sends the reader to
    // its charset repair: each part's header section was looked for up to the end of the message.
    const parts = (count: number) =>
      Buffer.from(
        `${headers}--b\r\nContent-Type: text/plain\r\n\r\ncaf\xe9\r\n${'--b\r\nContent-Type: text/plain\r\n'.repeat(count)}--b--\r\n`,
        'latin1',
      );
    const few = await patternWork(SOURCES, () => parseMessage(parts(500)));
    const many = await patternWork(SOURCES, () => parseMessage(parts(4000)));
    assert.ok(many <= 10 * few, `${few} → ${many}`);
  });

  it('hardening: style values and addresses are matched in bounded work, however long', async () => {
    const digits = `<b style="margin:${'1'.repeat(50_000)}x;border:${'a '.repeat(25_000)}!">x</b>`;
    assert.ok((await patternWork(SOURCES, () => sanitizeEmailHtml(digits))) <= 400_000);
    const address = `a@${'a-'.repeat(100_000)}.example`;
    assert.equal(await patternWork(SOURCES, () => isEmailAddress(address)), 0);
  });
});
