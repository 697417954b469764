/**
 * Fuzzing the mail reader with hostile MIME: NUL and control bytes, invalid UTF-8, broken encoded
 * words, deep multipart nesting, broken boundaries, huge headers and parts, adversarial quote
 * attribution lines, deep and remote-laden HTML. Whatever comes in, parse → sanitize → snippet never
 * throws, stays within its size caps, returns only strings PostgreSQL stores unchanged, and leaves no
 * script and no live remote reference. `FUZZ_RUNS` and `FUZZ_SEED` run it longer or elsewhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { htmlToText, MAX_HTML_BYTES, sanitizeEmailHtml } from '../../src/domain/html.ts';
import { MAX_ATTACHMENTS, MAX_BODY_BYTES, MAX_REFERENCES, parseMessage } from '../../src/domain/mime.ts';
import { snippet } from '../../src/domain/snippet.ts';
import { isStorable } from '../../src/domain/storable.ts';
import { testDatabase } from '../support/database.ts';
import { hostileHtml, hostileMessage } from '../support/fuzz-mime.ts';
import { assertInert } from '../support/inert-html.ts';
import { assertRoundTrips, stringsOf } from '../support/storable.ts';

const database = await testDatabase();
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 8);

const message = hostileMessage();

describe('hardening: hostile MIME never crashes, bloats, poisons storage or leaks', () => {
  it(`hardening: ${RUNS} hostile messages go through parse → sanitize → snippet → PostgreSQL unharmed`, async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        const parsed = await parseMessage(raw);
        assert.ok(Buffer.byteLength(parsed.text) <= MAX_BODY_BYTES);
        assert.ok(Buffer.byteLength(parsed.html ?? '') <= MAX_BODY_BYTES);
        assert.ok(Array.from(parsed.subject).length <= 1000);
        assert.ok(parsed.references.length <= MAX_REFERENCES);
        assert.ok(parsed.attachments.length <= MAX_ATTACHMENTS);
        assertInert(parsed.html ?? '');
        const preview = snippet(parsed.text);
        assert.ok(Array.from(preview).length <= 200);
        for (const entry of stringsOf({ parsed, preview })) {
          assert.ok(isStorable(entry.value), `${entry.path}: ${JSON.stringify(entry.value).slice(0, 200)}`);
        }
        await assertRoundTrips(database.pool, { parsed, preview });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('hardening: hostile HTML sanitized and read as text on its own stays bounded and inert', () => {
    fc.assert(
      fc.property(hostileHtml, (input) => {
        const clean = sanitizeEmailHtml(input);
        assert.ok(Buffer.byteLength(clean) <= MAX_HTML_BYTES);
        assertInert(clean);
        assert.equal(sanitizeEmailHtml(clean), clean, 'sanitizing twice changes nothing');
        assert.ok(Buffer.byteLength(htmlToText(input)) <= MAX_HTML_BYTES);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
