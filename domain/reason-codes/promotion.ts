/** Company-to-client promotion codes (RULES.md "Company-to-client promotion", plus the steps' own failures). */
export const PROMOTION_CODES = {
  PROMOTION_INCOMPLETE: 'The promotion did not complete; see its failed step.',
  PSA_CONFIRMATION_TIMEOUT: 'The PSA did not confirm the new client in time.',
  INTEGRATION_KEY_MISMATCH: 'The integration keys of the CRM and the PSA do not match.',
  PSA_UNREACHABLE: 'The PSA API is unreachable; the step is retrying with backoff.',
  COMPANY_NOT_FOUND: 'The company no longer exists.',
  COMPANY_ALREADY_LINKED: 'The company is already linked to another PSA client.',
  COMPANY_INACTIVE: 'The company is inactive: set it to prospect or active before promoting it; in CRM sync, a company not Active in the CRM and its contacts receive no updates and keep their last data.',
  PSA_REQUIREMENTS_MISSING: 'The company lacks data the PSA requires for a client (a name).',
  PSA_NOT_CONFIGURED: 'The PSA integration is not configured (PSA_API_URL, PSA_INTEGRATION_KEY, CRM_INTEGRATION_KEY).',
  PSA_REQUEST_REJECTED: 'The PSA rejected a request from the CRM.',
  PSA_CLIENT_LINKED_ELSEWHERE: 'The PSA client id is already linked to another CRM company.',
  INVALID_EMAIL: 'The address is missing or not a valid email address (or the receiving system rejected it); the record was skipped (in CRM sync: it does not sync).',
} as const;
