import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MailboxOwner, mailboxFit } from '../../src/domain/mailbox-fit.ts';

const acme: MailboxOwner = {
  userEmail: 'rex@acme.co.uk',
  primaryDomain: 'acme.co.uk',
  internalDomains: ['acme-labs.example'],
};

describe('which mailbox a user may connect', () => {
  it('hardening: the user’s own address and the organization’s domains fit, in any case', () => {
    assert.equal(mailboxFit('Rex@ACME.co.uk', acme), 'own');
    assert.equal(mailboxFit('team@acme.co.uk', acme), 'organization');
    assert.equal(mailboxFit('team@eu.Acme.co.uk', acme), 'organization');
    assert.equal(mailboxFit('team@acme-labs.example', acme), 'organization');
    assert.equal(mailboxFit('team@x.acme-labs.example', acme), 'organization');
    assert.equal(mailboxFit('rex@acme.co.uk.', acme), 'own');
  });

  it('hardening: look-alike, sibling-under-a-suffix and unparsable addresses are foreign', () => {
    for (const address of [
      'rex@other.co.uk', // same public suffix, another owner
      'rex@acme.co.uk.evil.example',
      'rex@evil-acme.co.uk',
      'rex@acmeco.uk',
      'rex@labs.example', // the parent of an internal domain is not covered
      'acme.co.uk',
      '',
      '@acme.co.uk',
      'rex@acme.co.uk@evil.example',
    ]) {
      assert.equal(mailboxFit(address, acme), 'foreign', address);
    }
  });

  it('hardening: a private suffix names one owner per label (github.io), an IDN compares in punycode', () => {
    const pages = { userEmail: 'ann@ann.github.io', primaryDomain: 'ann.github.io', internalDomains: [] };
    assert.equal(mailboxFit('bob@bob.github.io', pages), 'foreign');
    const idn = {
      userEmail: 'rex@bücher.example',
      primaryDomain: 'xn--bcher-kva.example',
      internalDomains: [],
    };
    assert.equal(mailboxFit('team@BÜCHER.example', idn), 'organization');
  });

  it('hardening: a consumer address, even the user’s own or on a consumer primary domain, needs confirmation', () => {
    assert.equal(mailboxFit('someone@gmail.com', acme), 'personal');
    assert.equal(mailboxFit('Some.One+x@googlemail.com', acme), 'personal');
    const consumerOrg = { userEmail: 'rex@gmail.com', primaryDomain: 'gmail.com', internalDomains: [] };
    assert.equal(mailboxFit('rex@gmail.com', consumerOrg), 'personal');
    assert.equal(mailboxFit('stranger@gmail.com', consumerOrg), 'personal');
  });

  it('hardening: an address the provider does not vouch for is foreign, whatever its domain (Microsoft mail, issue 12)', () => {
    const records = ['mallory@evil.example', 'm@evil.example'];
    assert.equal(mailboxFit('rex@acme.co.uk', acme, records), 'foreign');
    assert.equal(mailboxFit('team@acme-labs.example', acme, records), 'foreign');
    assert.equal(mailboxFit('rex@acme.co.uk', acme, ['REX@acme.co.uk']), 'own', 'compared as addresses');
    assert.equal(mailboxFit('team@acme.co.uk', acme, ['x@acme.co.uk', 'team@acme.co.uk']), 'organization');
    assert.equal(mailboxFit('rex@acme.co.uk', acme, []), 'foreign');
  });
});
