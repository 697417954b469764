import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConsumerDomain } from '../../src/domain/consumer-domains.ts';
import {
  comparableAddress,
  extraInternalDomainProblem,
  type InternalScope,
  isInternal,
  isOwnAddress,
  registrableDomain,
} from '../../src/domain/internal.ts';

const acme: InternalScope = { address: 'jane@acme.com', extraInternalDomains: [] };

describe('R8: consumer mail domains', () => {
  it('R8: the big free-mail providers are consumer domains', () => {
    for (const domain of [
      'gmail.com',
      'googlemail.com',
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'yahoo.com',
      'yahoo.co.uk',
      'icloud.com',
      'me.com',
      'aol.com',
      'proton.me',
      'gmx.de',
      'web.de',
      'mail.ru',
      'qq.com',
    ]) {
      assert.equal(isConsumerDomain(domain), true, domain);
    }
  });

  it('R8: company domains are not consumer domains', () => {
    for (const domain of [
      'acme.com',
      'acme.co.uk',
      'google.com',
      'microsoft.com',
      'apple.com',
      'example.org',
    ]) {
      assert.equal(isConsumerDomain(domain), false, domain);
    }
  });

  it('R8: case, surrounding space and a trailing dot do not matter', () => {
    assert.equal(isConsumerDomain(' GMail.COM. '), true);
  });
});

describe('R11: registrable domains', () => {
  const cases: [string, string][] = [
    ['acme.com', 'acme.com'],
    ['eu.acme.com', 'acme.com'],
    ['a.b.c.acme.com', 'acme.com'],
    ['ACME.COM', 'acme.com'],
    ['acme.co.uk', 'acme.co.uk'],
    ['foo.acme.co.uk', 'acme.co.uk'],
    ['mail.acme.com.au', 'acme.com.au'],
    ['ann.github.io', 'ann.github.io'],
    ['www.ann.github.io', 'ann.github.io'],
    ['x.bob.blogspot.com', 'bob.blogspot.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['mail.bücher.de', 'xn--bcher-kva.de'],
    ['mail.xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['co.uk', 'co.uk'],
    ['localhost', 'localhost'],
  ];
  for (const [domain, expected] of cases) {
    it(`R11: ${domain} is registered as ${expected}`, () => {
      assert.equal(registrableDomain(domain), expected);
    });
  }
});

describe('R11: who is internal to a company mailbox', () => {
  const cases: [string, boolean, string][] = [
    ['jane@acme.com', true, 'the owner'],
    ['JANE@ACME.COM', true, 'the owner, in capitals'],
    ['bob@acme.com', true, 'a colleague'],
    ['Bob@Acme.Com', true, 'a colleague, in mixed case'],
    ['bob@eu.acme.com', true, 'a colleague on a subdomain'],
    ['bob@mail.eu.acme.com', true, 'a colleague two subdomains down'],
    ['ann@candidate.com', false, 'an outsider'],
    ['ann@acme.co', false, 'a lookalike on another suffix'],
    ['ann@acme.com.evil.net', false, 'a lookalike with our name as a label'],
    ['ann@notacme.com', false, 'a lookalike with our name as a suffix'],
    ['ann@gmail.com', false, 'a consumer address'],
    ['not an address', false, 'something that is not an address'],
  ];
  for (const [address, internal, who] of cases) {
    it(`R11: ${who} (${address}) is ${internal ? 'internal' : 'external'}`, () => {
      assert.equal(isInternal(address, acme), internal);
    });
  }

  it('R11: multi-level public suffixes separate companies and keep subdomains together', () => {
    const uk: InternalScope = { address: 'jane@acme.co.uk', extraInternalDomains: [] };
    assert.equal(isInternal('bob@foo.acme.co.uk', uk), true);
    assert.equal(isInternal('bob@other.co.uk', uk), false);
    assert.equal(isInternal('bob@co.uk', uk), false);
  });

  it('R11: tenants of a private suffix (github.io) are not each other’s colleagues', () => {
    const pages: InternalScope = { address: 'jane@ann.github.io', extraInternalDomains: [] };
    assert.equal(isInternal('bob@mail.ann.github.io', pages), true);
    assert.equal(isInternal('eve@bob.github.io', pages), false);
  });

  it('R11: an internationalized domain matches in Unicode and in punycode', () => {
    const idn: InternalScope = { address: 'jane@bücher.de', extraInternalDomains: [] };
    assert.equal(isInternal('bob@xn--bcher-kva.de', idn), true);
    assert.equal(isInternal('bob@mail.BÜCHER.de', idn), true);
    assert.equal(isInternal('bob@buecher.de', idn), false);
  });

  it('R11: the owner’s aliases are internal, wherever they are', () => {
    const withAlias: InternalScope = { ...acme, aliases: ['jane.doe+jobs@gmail.com'] };
    assert.equal(isInternal('janedoe@gmail.com', withAlias), true);
    assert.equal(isInternal('someone@gmail.com', withAlias), false);
  });
});

describe('R11: a mailbox on a consumer domain', () => {
  const gmail: InternalScope = { address: 'Jane.Doe@gmail.com', extraInternalDomains: [] };

  it('R11: only the owner’s own address is internal, compared normalized', () => {
    for (const own of ['jane.doe@gmail.com', 'janedoe@gmail.com', 'JaneDoe+recruiting@googlemail.com']) {
      assert.equal(isInternal(own, gmail), true, own);
    }
  });

  it('R11: other users of the same consumer domain are external', () => {
    for (const other of ['bob@gmail.com', 'jane.doe2@gmail.com', 'bob@googlemail.com']) {
      assert.equal(isInternal(other, gmail), false, other);
    }
  });

  it('R11: outlook.com and hotmail.com mailboxes behave the same', () => {
    const outlook: InternalScope = { address: 'jane@outlook.com', extraInternalDomains: [] };
    assert.equal(isInternal('JANE@outlook.com', outlook), true);
    assert.equal(isInternal('bob@outlook.com', outlook), false);
  });

  it('R11: the admin’s extra internal domains still apply', () => {
    const withExtra: InternalScope = { ...gmail, extraInternalDomains: ['acme.com'] };
    assert.equal(isInternal('bob@acme.com', withExtra), true);
    assert.equal(isInternal('bob@gmail.com', withExtra), false);
  });
});

describe('R11: extra internal domains', () => {
  const scope: InternalScope = {
    address: 'jane@acme.com',
    extraInternalDomains: ['acme-group.co.uk', 'EU.Acme-Labs.com'],
  };
  const cases: [string, boolean][] = [
    ['bob@acme-group.co.uk', true],
    ['bob@hr.acme-group.co.uk', true],
    ['bob@eu.acme-labs.com', true],
    ['bob@x.eu.acme-labs.com', true],
    ['bob@us.acme-labs.com', false],
    ['bob@acme-labs.com', false],
    ['bob@other.co.uk', false],
    ['bob@notacme-group.co.uk', false],
  ];
  for (const [address, internal] of cases) {
    it(`R11: ${address} is ${internal ? 'internal' : 'external'} (an extra domain covers its subdomains only)`, () => {
      assert.equal(isInternal(address, scope), internal);
    });
  }

  it('R11: a public suffix or a consumer domain listed by mistake makes nobody internal', () => {
    const mistaken: InternalScope = {
      address: 'jane@acme.com',
      extraInternalDomains: ['co.uk', 'gmail.com', 'github.io'],
    };
    assert.equal(isInternal('bob@other.co.uk', mistaken), false);
    assert.equal(isInternal('bob@gmail.com', mistaken), false);
    assert.equal(isInternal('bob@ann.github.io', mistaken), false);
  });

  it('R11: says why an extra internal domain cannot be accepted', () => {
    assert.equal(extraInternalDomainProblem('acme-group.co.uk'), undefined);
    assert.equal(extraInternalDomainProblem('eu.acme.com'), undefined);
    assert.match(extraInternalDomainProblem('co.uk') ?? '', /public suffix/);
    assert.match(extraInternalDomainProblem('github.io') ?? '', /public suffix/);
    assert.match(extraInternalDomainProblem('hotmail.com') ?? '', /consumer/);
    assert.match(extraInternalDomainProblem('not a domain') ?? '', /not a domain/);
    assert.match(extraInternalDomainProblem('localhost') ?? '', /not a domain/);
  });
});

describe('R10: addresses from messages are compared as member addresses are', () => {
  it('R10: gmail dots, +tags and googlemail.com collapse; other domains keep theirs', () => {
    assert.equal(comparableAddress(' J.Doe+x@GoogleMail.com '), 'jdoe@gmail.com');
    assert.equal(comparableAddress('J.Doe+x@Acme.com'), 'j.doe+x@acme.com');
  });

  it('R10: an internationalized domain is compared in punycode', () => {
    assert.equal(comparableAddress('ann@Bücher.de'), 'ann@xn--bcher-kva.de');
  });

  it('R10: what is not an address compares as nothing', () => {
    for (const bad of ['', 'undisclosed-recipients', '@acme.com', 'ann@', 'ann@localhost']) {
      assert.equal(comparableAddress(bad), undefined, bad);
    }
  });

  it('R10: the owner is recognized by address or alias, normalized', () => {
    const owner = { address: 'jane.doe@gmail.com', aliases: ['jane@acme.com'] };
    assert.equal(isOwnAddress('JaneDoe+x@gmail.com', owner), true);
    assert.equal(isOwnAddress('Jane@ACME.com', owner), true);
    assert.equal(isOwnAddress('bob@acme.com', owner), false);
    assert.equal(isOwnAddress('garbage', owner), false);
  });
});
