/**
 * Account matching and company merge codes (RULES.md "CRM sync": account matching, lazy creation).
 * Shared with other features: ERASED (erasure.ts), CRM_UNAVAILABLE / CRM_AUTH_FAILED / CRM_REJECTED /
 * REQUEST_LIMIT_EXCEEDED (sync.ts: the CRM-account lookup fails with them).
 */
export const MATCHING_CODES = {
  MATCH_CONTACT: 'An existing contact has this email address: the person is that contact (and its company); nothing was created.',
  MATCH_ACCOUNT_DOMAIN: "A company lists the email address's domain (companies may list several): a contact was created under it.",
  MATCH_CRM_DOMAIN: "No local company lists the domain, but a CRM account does (its website or domains field): a local company was created (or an existing one holding another of the account's domains was linked) with ALL the account's domains, linked to the account exactly as the sync loop links it, and the contact under it.",
  MATCH_NEW_ACCOUNT: 'Neither a contact, a company nor a CRM account matches: a new company (with this domain, not linked to the CRM) and the contact under it were created.',
  FREE_MAIL_DOMAIN: 'The address is at a free-mail provider (gmail.com, outlook.com, …): a company is never matched or created from such a domain; the contact has no company.',
  NO_CRM_CONNECTOR: 'No CRM connector syncs Accounts: the CRM-account branch of matching was skipped.',
  COMPANY_MERGED: 'The company was merged into another one (it is a tombstone pointing at the primary, mergedInto): it is not listed and cannot be changed; use the primary.',
  COMPANY_MERGE_PSA_CONFLICT: 'The companies are linked to different PSA clients; merging would leave one client without its company. Unlink or merge the clients in the PSA first.',
  COMPANY_MERGE_CRM_CONFLICT: 'The companies are linked to different CRM accounts of one connector (or hold different ids for one system); merging would make two accounts write one company. Merge the accounts in the CRM first (the survivor keeps the link).',
} as const;
