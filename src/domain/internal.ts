/**
 * R11: which addresses are internal to a connected mailbox, and so never count for a candidate match.
 *
 * Internal means: the owner's own address or one of its aliases; or an address on the same registrable
 * domain as the owner's address (public suffix list: `eu.acme.com` and `acme.com` are one company,
 * `acme.co.uk` and `other.co.uk` are two); or an address on one of the admin's extra internal domains or
 * their subdomains. When the owner's address is on a consumer domain (gmail.com …), its domain is
 * shared with strangers, so only the owner's own addresses are internal there.
 */
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { isConsumerDomain } from './consumer-domains.ts';
import { emailDomain, isEmailAddress, normalizeEmail } from './email.ts';

/** Who owns a connected mailbox: the connected address and the aliases it also sends as. */
export interface MailboxIdentity {
  address: string;
  aliases?: readonly string[];
}

/** The connected mailbox as R11 sees it: its owner's addresses and the organization's extra domains. */
export interface InternalScope extends MailboxIdentity {
  /** Extra internal domains the admin lists; each covers its subdomains too. */
  extraInternalDomains: readonly string[];
}

/** The domain in the form domains are compared in: lowercased, no trailing dot, punycode (IDN). */
export function canonicalDomain(domain: string): string {
  const lowered = domain.trim().toLowerCase().replace(/\.$/, '');
  // `domainToASCII` returns '' for what is not a valid hostname; keep the lowered form then, so that
  // such a domain still equals itself and nothing else.
  return domainToASCII(lowered) || lowered;
}

/**
 * The registrable domain ("eTLD+1") of `domain`, or the whole canonical domain when it has none (an IP
 * literal, a bare public suffix, `localhost`).
 */
export function registrableDomain(domain: string): string {
  const canonical = canonicalDomain(domain);
  // allowPrivateDomains: the private section of the list names suffixes under which strangers get their
  // own names (`github.io`, `blogspot.com`, `herokuapp.com`). With it, `ann.github.io` and
  // `bob.github.io` are two registrable domains, as they are two owners; without it both would reduce
  // to `github.io` and Bob would pass for Ann's colleague. No company mails from a name that the list
  // hands out to strangers, so nothing is lost the other way.
  return getDomain(canonical, { allowPrivateDomains: true }) ?? canonical;
}

/**
 * Why an extra internal domain cannot be accepted, or `undefined` when it can: a public suffix
 * (`co.uk`) or a consumer domain (`gmail.com`) would make strangers colleagues and silence R10.
 */
export function extraInternalDomainProblem(domain: string): string | undefined {
  const canonical = canonicalDomain(domain);
  if (!/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(canonical)) return 'is not a domain name';
  if (getDomain(canonical, { allowPrivateDomains: true }) === null) {
    return 'is a public suffix, shared by unrelated owners';
  }
  if (isConsumerDomain(canonical)) return 'is a consumer mail domain, shared by unrelated people';
  return undefined;
}

/**
 * The form an address from a message is compared in (R10): its domain in punycode, then normalized as
 * member addresses are; `undefined` when it is not an address at all.
 */
export function comparableAddress(address: string): string | undefined {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return undefined;
  // Headers may carry an internationalized domain in Unicode (RFC 6532); member addresses are stored
  // in ASCII, so the domain is converted before comparing.
  const ascii = `${trimmed.slice(0, at)}@${canonicalDomain(trimmed.slice(at + 1))}`;
  return isEmailAddress(ascii) ? normalizeEmail(ascii) : undefined;
}

/** True when `address` belongs to the mailbox's owner: the connected address or a known alias. */
export function isOwnAddress(address: string, mailbox: MailboxIdentity): boolean {
  const comparable = comparableAddress(address);
  if (comparable === undefined) return false;
  return [mailbox.address, ...(mailbox.aliases ?? [])].some((own) => comparableAddress(own) === comparable);
}

/** True when `address` is internal to the mailbox (R11) and so never counts for a candidate match. */
export function isInternal(address: string, mailbox: InternalScope): boolean {
  if (isOwnAddress(address, mailbox)) return true;
  const comparable = comparableAddress(address);
  // Something that is not an address names nobody: it is not a colleague (and cannot match a member).
  if (comparable === undefined) return false;
  const domain = emailDomain(comparable);
  const ownDomain = canonicalDomain(emailDomain(mailbox.address));
  if (!isConsumerDomain(ownDomain) && registrableDomain(domain) === registrableDomain(ownDomain)) {
    return true;
  }
  return mailbox.extraInternalDomains.some((extra) => coversDomain(extra, domain));
}

// An extra domain covers itself and its subdomains: listing `acme.co.uk` makes `eu.acme.co.uk` internal,
// while listing `eu.acme.co.uk` leaves the rest of `acme.co.uk` outside. Matching by suffix rather than
// by registrable domain keeps the admin's entry as narrow as written. Entries that could never be
// accepted (see extraInternalDomainProblem) are ignored here as well, in case one was stored anyway.
/** True when the admin's extra internal domain `extra` is `domain` or one of its parents. */
export function coversDomain(extra: string, domain: string): boolean {
  if (extraInternalDomainProblem(extra) !== undefined) return false;
  const canonical = canonicalDomain(extra);
  return domain === canonical || domain.endsWith(`.${canonical}`);
}
