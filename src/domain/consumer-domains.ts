/**
 * Consumer (free-mail) domains: where anyone can open a mailbox, so a shared domain says nothing about
 * a shared employer. R8 warns when such a mailbox is connected; R11 then treats only the owner's own
 * address as internal.
 *
 * The list is the `free-email-domains` package's shipped `domains.json` (about 14,000 free and
 * disposable providers). Its install script would download a fresher list; package.json denies that
 * script (`allowScripts`), so installs work offline and the list only changes when the package version
 * does, through the lockfile.
 */
import { domainToASCII } from 'node:url';
import freeEmailDomains from 'free-email-domains';

// The big providers, named here as well so that a future version of the list that loses one cannot
// silently turn their users into colleagues of each other (R11).
const BIG_PROVIDERS = [
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'hey.com',
  'fastmail.com',
  'tutanota.com',
];

const CONSUMER_DOMAINS: ReadonlySet<string> = new Set(
  [...freeEmailDomains, ...BIG_PROVIDERS].map((domain) => domain.trim().toLowerCase()),
);

/** True when `domain` is a free-mail provider's domain, where anyone can open a mailbox (R8, R11). */
export function isConsumerDomain(domain: string): boolean {
  const lowered = domain.trim().toLowerCase().replace(/\.$/, '');
  // The list is written in ASCII; an internationalized domain is compared in its punycode form.
  return CONSUMER_DOMAINS.has(lowered) || CONSUMER_DOMAINS.has(domainToASCII(lowered));
}
