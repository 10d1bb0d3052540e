/**
 * Free-mail providers (gmail.com, outlook.com, gmx.de, …): an address there says nothing about the
 * person's company, so matching never creates or matches a company from its domain (FREE_MAIL_DOMAIN).
 * The list is the maintained `email-providers` package (about 8,800 domains, pure data: no install
 * script, loads with require and import on Node 20); exact domains only, no parent-domain guessing.
 */
import providers from 'email-providers/all.json';
import { emailDomain } from '../email-address';

const FREE_MAIL = new Set<string>((providers as string[]).map((d) => d.toLowerCase()));

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL.has(domain.trim().toLowerCase());
}

export function isFreeMailAddress(email: string): boolean {
  const domain = emailDomain(email);
  return domain !== null && isFreeMailDomain(domain);
}
