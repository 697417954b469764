import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snippet } from '../../src/domain/snippet.ts';

describe('R17: message previews', () => {
  it('R17: collapses whitespace into one line', () => {
    assert.equal(snippet('Hi Ann,\r\n\r\n  Thanks   for\tyour time.\n'), 'Hi Ann, Thanks for your time.');
  });

  it('R17: leaves out quoted lines', () => {
    assert.equal(
      snippet('Sounds good.\n> Can we meet Tuesday?\n>> earlier\nSee you then.'),
      'Sounds good. See you then.',
    );
  });

  it('R17: stops at the signature separator', () => {
    assert.equal(snippet('Tuesday works.\n-- \nJane Doe\nRecruiter, Acme'), 'Tuesday works.');
    assert.equal(snippet('Tuesday works.\n--\nJane'), 'Tuesday works.');
  });

  it('R17: stops at the quoted conversation below a reply', () => {
    const reply = [
      'Great, talk then.',
      '',
      'On Tue, 3 Mar 2026 at 10:00, Ann Lee <ann@candidate.com> wrote:',
      'Is 3pm ok?',
    ].join('\n');
    assert.equal(snippet(reply), 'Great, talk then.');
    assert.equal(snippet('Merci.\nLe mar. 3 mars 2026, Ann a écrit :\nBonjour'), 'Merci.');
    assert.equal(snippet('Danke.\nAm Di., 3. März 2026 um 10:00 schrieb Ann <ann@x.de>:\nHallo'), 'Danke.');
    assert.equal(snippet('Yes.\n-----Original Message-----\nFrom: Ann'), 'Yes.');
    assert.equal(snippet('Yes.\n________________________________\nFrom: Ann'), 'Yes.');
  });

  it('R17: keeps a dash line that is not a signature separator', () => {
    assert.equal(snippet('Agenda:\n--- item one ---\nthat is all'), 'Agenda: --- item one --- that is all');
  });

  it('R17: a message that is all quote still gets a preview', () => {
    assert.equal(snippet('> forwarded words\n> more'), 'forwarded words more');
  });

  it('R17: cuts long text at a word, with an ellipsis, within the limit', () => {
    const long = 'word '.repeat(100);
    const preview = snippet(long);
    assert.ok(Array.from(preview).length <= 200);
    assert.match(preview, /word…$/);
    assert.equal(snippet('abcdefghij klmnop', 10), 'abcdefghi…');
    assert.equal(snippet('short', 10), 'short');
  });

  it('R17: never cuts a character in half', () => {
    const emoji = '👋'.repeat(300);
    const preview = snippet(emoji);
    assert.equal(Array.from(preview).length, 200);
    assert.equal(preview, `${'👋'.repeat(199)}…`);
  });

  it('R17: empty text gives an empty preview', () => {
    assert.equal(snippet(''), '');
    assert.equal(snippet('   \n  '), '');
  });
});
