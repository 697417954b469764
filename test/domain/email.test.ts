import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailDomain, isEmailAddress, normalizeEmail } from '../../src/domain/email.ts';

describe('R10: addresses are compared normalized', () => {
  it('ignores case everywhere', () => {
    assert.equal(normalizeEmail('Jane.Doe@Example.COM'), 'jane.doe@example.com');
  });

  it('ignores dots and +tags in gmail.com local parts, and treats googlemail.com as gmail.com', () => {
    assert.equal(normalizeEmail('J.a.n.e+jobs@gmail.com'), 'jane@gmail.com');
    assert.equal(normalizeEmail('jane@googlemail.com'), 'jane@gmail.com');
    assert.equal(normalizeEmail(' JANE+x+y@GoogleMail.com '), 'jane@gmail.com');
  });

  it('keeps dots and +tags on other domains, where they may name other mailboxes', () => {
    assert.equal(normalizeEmail('jane.doe+jobs@example.com'), 'jane.doe+jobs@example.com');
    assert.notEqual(normalizeEmail('jane.doe@example.com'), normalizeEmail('janedoe@example.com'));
  });

  it('tells addresses from non-addresses', () => {
    for (const good of ['a@b.co', 'first.last+tag@sub.example.org', 'x@xn--bcher-kva.example']) {
      assert.equal(isEmailAddress(good), true, good);
    }
    for (const bad of [
      '',
      'plain',
      '@example.com',
      'a@',
      'a@b',
      'a b@example.com',
      'a@exa mple.com',
      '<a@b.co>',
    ]) {
      assert.equal(isEmailAddress(bad), false, bad);
    }
  });

  it('reads the domain of an address', () => {
    assert.equal(emailDomain('Someone@Sub.Example.com'), 'sub.example.com');
  });
});
