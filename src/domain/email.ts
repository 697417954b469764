/**
 * Email addresses as R10 compares them.
 *
 * Case never matters. Gmail ignores dots and `+tags` in the local part, and googlemail.com is the same
 * mailbox as gmail.com, so those collapse to one form; every other domain keeps its local part as written
 * (lowercased), since whether `a.b` and `ab` are one mailbox is that domain's business.
 */

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

// Deliberately simple: one @, no spaces or angle brackets, a dotted domain. Full RFC 5322 syntax
// (quoted local parts, comments) does not occur in the addresses a member lists on a profile.
const ADDRESS =
  /^[^\s@<>()[\]\\,;:"]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** True when `address` is a plausible mailbox address (after trimming and lowercasing). */
export function isEmailAddress(address: string): boolean {
  const lowered = address.trim().toLowerCase();
  return lowered.length <= 254 && ADDRESS.test(lowered);
}

/** The domain part, lowercased. */
export function emailDomain(address: string): string {
  const lowered = address.trim().toLowerCase();
  return lowered.slice(lowered.lastIndexOf('@') + 1);
}

/** The form two addresses are compared in: equal forms mean the same mailbox (R10). */
export function normalizeEmail(address: string): string {
  const lowered = address.trim().toLowerCase();
  const at = lowered.lastIndexOf('@');
  const local = lowered.slice(0, at);
  const domain = lowered.slice(at + 1);
  if (!GMAIL_DOMAINS.has(domain)) return lowered;
  const plus = local.indexOf('+');
  const base = plus === -1 ? local : local.slice(0, plus);
  return `${base.replaceAll('.', '')}@gmail.com`;
}
