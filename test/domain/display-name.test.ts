import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_NAME_LENGTH, parseDisplayName } from '../../src/domain/display-name.ts';

const WHITESPACE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\u000B',
  '\u000C',
  '\u0085',
  '\u00A0',
  '\u1680',
  '\u2003',
  '\u2009',
  '\u2028',
  '\u2029',
  '\u202F',
  '\u205F',
  '\u3000',
];

/** Characters that make any name unusable wherever they stand: a person cannot see them. */
const FORBIDDEN = [
  '\u0000',
  '\u0001',
  '\u001B',
  '\u007F',
  '\u009B',
  '\u00AD',
  '\u061C',
  '\u180E',
  '\u200B',
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202E',
  '\u2060',
  '\u2062',
  '\u2066',
  '\u2069',
  '\uFEFF',
  '\uFFFE',
  '\uFDD0',
  '\u115F',
  '\u3164',
  '\uFFA0',
  '\u2800',
  '\u{E0001}',
  '\u{E0041}',
  '\uD800',
  '\uDFFF',
];

/** Joiners and variation selectors: allowed between visible characters only, so never alone. */
const PLACE_BOUND = ['\u200C', '\u200D', '\uFE0F', '\uFE0E', '\u{E0100}'];

const visible = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const anyUnit = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 3 }),
  fc.constantFrom(...WHITESPACE, ...FORBIDDEN, ...PLACE_BOUND, 'e\u0301', '\u0301', '👩\u200D💻', '❤\uFE0F'),
);
const anything = fc.array(anyUnit, { maxLength: 60 }).map((parts) => parts.join(''));
const blank = fc
  .array(fc.constantFrom(...WHITESPACE, ...FORBIDDEN, ...PLACE_BOUND, '\u0301'), {
    minLength: 0,
    maxLength: 30,
  })
  .map((parts) => parts.join(''));

describe('hardening: display names are normalized and never invisible', () => {
  it('hardening: an accepted name is NFC, trimmed, single-spaced, at most 200 characters, visible, and stable', () => {
    fc.assert(
      fc.property(anything, (raw) => {
        const parsed = parseDisplayName(raw);
        if (!parsed.ok) return;
        const { name } = parsed;
        assert.equal(name, name.normalize('NFC'));
        assert.equal(name, name.trim());
        assert.doesNotMatch(name, /\p{White_Space}{2}|[^\S ]/u);
        assert.ok([...name].length <= MAX_NAME_LENGTH);
        assert.match(name, /[\p{L}\p{N}\p{P}\p{S}]/u);
        const characters = new Set(name);
        for (const character of FORBIDDEN) assert.ok(!characters.has(character), JSON.stringify(name));
        assert.deepEqual(parseDisplayName(name), parsed, 'normalizing twice changes nothing');
      }),
      { numRuns: 2000 },
    );
  });

  it('hardening: a name of whitespace, controls and invisible characters only is refused', () => {
    fc.assert(
      fc.property(blank, (raw) => {
        assert.equal(parseDisplayName(raw).ok, false, JSON.stringify(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('hardening: one invisible or control character anywhere in a good name makes it refused', () => {
    fc.assert(
      fc.property(visible, fc.constantFrom(...FORBIDDEN), fc.nat(), (good, bad, at) => {
        fc.pre(parseDisplayName(good).ok);
        const characters = [...good];
        characters.splice(at % (characters.length + 1), 0, bad);
        const parsed = parseDisplayName(characters.join(''));
        assert.equal(parsed.ok, false, JSON.stringify(characters.join('')));
      }),
      { numRuns: 2000 },
    );
  });

  it('hardening: surrounding and inner whitespace of any kind does not make another name', () => {
    fc.assert(
      fc.property(
        visible,
        visible,
        fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 4 }),
        (first, second, gap) => {
          const plain = parseDisplayName(`${first} ${second}`);
          fc.pre(plain.ok);
          const spaced = gap.join('');
          assert.deepEqual(parseDisplayName(`${spaced}${first}${spaced}${second}${spaced}`), plain);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the names real people have, emoji sequences included', () => {
    for (const [raw, expected] of [
      ['  Jane \t Doe\n', 'Jane Doe'],
      ["O'Brien-Smith", "O'Brien-Smith"],
      ['Jose\u0301', 'José'],
      ['李小龍', '李小龍'],
      ['محمد\u200Cرضا', 'محمد\u200Cرضا'],
      ['Ada 👩\u200D💻', 'Ada 👩\u200D💻'],
      ['❤\uFE0F\u200D🔥', '❤\uFE0F\u200D🔥'],
      ['x'.repeat(MAX_NAME_LENGTH), 'x'.repeat(MAX_NAME_LENGTH)],
    ] as const) {
      assert.deepEqual(parseDisplayName(raw), { ok: true, name: expected }, raw);
    }
  });

  it('says why a name is refused', () => {
    for (const [raw, reason] of [
      ['   ', /whitespace only/],
      ['\u00A0\u3000', /whitespace only/],
      ['Ann\u0000', /U\+0000/],
      ['\u202EnnA', /U\+202E/],
      ['\u200B', /U\+200B/],
      ['Ann\u200D', /invisible/],
      ['A\u200D\u200DB', /invisible/],
      ['❤\uFE0F\uFE0F', /invisible/],
      ['\u0301\u0301', /letter, digit/],
      ['x'.repeat(MAX_NAME_LENGTH + 1), /at most 200/],
    ] as const) {
      const parsed = parseDisplayName(raw);
      assert.equal(parsed.ok, false, raw);
      assert.match(parsed.ok ? '' : parsed.message, reason, raw);
    }
  });
});
