/**
 * Which mailbox a user may connect (issue 8, item 1; R8, R11). A start link can be forwarded, so the
 * account that consents is not necessarily the user's: a mailbox is accepted as the user's own only when
 * its address is the user's email, or is on the organization's domain (same registrable domain, as R11
 * compares) or one of its extra internal domains (that domain or a subdomain, as written). A consumer
 * address (R8) is anyone's, so it needs the user's own confirmation; anything else is refused.
 *
 * The address judged must be one the provider vouches for. Microsoft's `mail` attribute is not: a tenant's
 * admin can set it to anyone's address, so an address that is not among the account's addresses of record
 * (`userPrincipalName`, SMTP `proxyAddresses`, on domains the tenant verified) is foreign (issue 12, item 15).
 */
import { isConsumerDomain } from './consumer-domains.ts';
import { emailDomain } from './email.ts';
import { comparableAddress, coversDomain, registrableDomain } from './internal.ts';

/** `own` and `organization` connect; `personal` connects after the user confirms; `foreign` never does. */
export type MailboxFit = 'own' | 'organization' | 'personal' | 'foreign';

/** The user a mailbox is being connected for, and the domains their organization owns. */
export interface MailboxOwner {
  userEmail: string;
  primaryDomain: string;
  internalDomains: readonly string[];
}

/**
 * How the consenting mailbox's address relates to the user it would be connected to; `addressesOfRecord`,
 * when the provider gives them, are the only addresses the account may claim.
 */
export function mailboxFit(
  address: string,
  owner: MailboxOwner,
  addressesOfRecord?: readonly string[],
): MailboxFit {
  const comparable = comparableAddress(address);
  if (comparable === undefined) return 'foreign';
  if (
    addressesOfRecord !== undefined &&
    !addressesOfRecord.some((record) => comparableAddress(record) === comparable)
  )
    return 'foreign';
  const domain = emailDomain(comparable);
  // A consumer domain first: even an organization whose primary domain is gmail.com does not own every
  // gmail.com mailbox, and the user's own gmail.com address still gets R8's warning and confirmation.
  if (isConsumerDomain(domain)) return 'personal';
  if (comparable === comparableAddress(owner.userEmail)) return 'own';
  if (registrableDomain(domain) === registrableDomain(owner.primaryDomain)) return 'organization';
  if (owner.internalDomains.some((extra) => coversDomain(extra, domain))) return 'organization';
  return 'foreign';
}
