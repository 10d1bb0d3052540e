/**
 * CRM sync codes (RULES.md "CRM sync"): each skipped, frozen, queued or deferred CRM record says why.
 * Shared with other features (one REASON_CODES map, meanings that fit both uses): DUPLICATE_EMAIL
 * (duplicates.ts), INVALID_EMAIL and COMPANY_INACTIVE (promotion.ts), ERASED (erasure.ts).
 */
export const SYNC_CODES = {
  QUEUED_OVER_CAP: 'More CRM records changed than the connector applies per cycle (recordCap); this one waits in the queue (records linked to owned contacts first) and is applied in a later cycle.',
  CONFLICT_CRM_WINS: 'The field changed on both sides since the last sync; the CRM value was applied (the default policy).',
  CONFLICT_LOCAL_OVERRIDE: 'The field changed on both sides since the last sync; the local value was kept (the custom field is set to local_overrides).',
  MULTIPLE_CRM_MATCHES: 'Several CRM records have this email address: a lead and a contact sync with the contact, several leads with the first one found; this record does not sync (with allowDuplicateEmails each record syncs by its CRM id).',
  CRM_DELETED: 'The record was deleted in the CRM: it stops syncing and is not recreated, until it is undeleted or a new CRM record with the same email address appears.',
  CRM_MERGED: 'The record was merged into another CRM record (masterRecordId names the survivor): it stops syncing; the survivor carries on.',
  CRM_LEAD_CONVERTED: 'The lead was converted in the CRM: it stops syncing; the contact it was converted to carries on (masterRecordId).',
  FILTERED_OUT: "The record's filter field value is not one of the connector's allowed values: it is not synced, or, if it was, it keeps its last data and stops updating.",
  CONTACT_INACTIVE: 'The contact is not Active in the CRM: it does not sync; a linked contact keeps its last data, becomes inactive and its live enrollments end.',
  DELETED_INACTIVE: 'The contact became inactive in the CRM and the connector deletes inactive contacts (deleteInactiveContacts, while the company stays active): the local contact was deleted.',
  NO_LINKED_COMPANY: "A contact is created only under a company that exists on both sides: inbound, the contact's CRM account is not linked to a local company (missing, filtered out or not synced yet); outbound, the local contact's company is not linked to a synced CRM account.",
  B2C_SKIPPED: "The record's first and last name equal its company's name (a B2C record) and the connector skips B2C records (skipB2C).",
  POSSIBLE_DUPLICATE: 'A local record looks like the same person or company (same name, or same company domain): it was not created automatically but queued for a person to resolve (link to an existing record, or create a new one).',
  ADDRESS_SYNC_DISABLED: 'Address fields are not synced: address sync is off for this connector (syncAddresses).',
  SCOPE_LINKED_ONLY: "The connector's scope is linked_only: CRM records are not created locally (lazy creation); only records already linked, or matching a local record's email, are updated.",
  CURSOR_EXPIRED_RESYNC: "Salesforce no longer serves changes since the stored cursor (INVALID_REPLICATION_DATE, deletes older than its retention, or a purge): the object was re-read in full and diffed against what was synced; nothing was lost silently.",
  API_BUDGET_DEFERRED: "The connector reached its share of the org's daily API allowance (apiBudgetShare): the cycle was deferred until calls age out of the 24-hour window.",
  REQUEST_LIMIT_EXCEEDED: "Salesforce refused the call: the org's daily API allowance is used up (HTTP 403). The loop backs off (quotaBackoff) and tries again.",
  CRM_AUTH_FAILED: 'Salesforce refused the credentials, or kept refusing the session after refreshing it: the connector waits for new settings (PATCH) or a resume.',
  CRM_UNAVAILABLE: 'Salesforce could not be reached or answered with a server error; the step is retried.',
  CRM_REJECTED: 'Salesforce rejected a request (e.g. an unknown field in the settings); errorCode says which. Fix the settings; the loop tries again on the next cycle.',
  // Outbound (CRM-workflows → CRM)
  UNASSIGNED_NO_CRM_MATCH: 'The local record has no owner and no CRM record has its email address (companies: it is not linked to a CRM account): only owned contacts create CRM records; an unowned one syncs once a CRM record with the same email exists.',
  CRM_CHANGE_PENDING: 'The CRM record changed since it was last read and that change is not applied yet: the local change waits for it (a field changed on both sides takes the CRM value), then is pushed.',
  CRM_WRITE_FAILED: "Salesforce refused the write of this record (errorCode says why, e.g. FIELD_CUSTOM_VALIDATION_EXCEPTION or a Bulk API row left unprocessed); it is retried on the next cycle, and after 5 refusals waits until the record changes again.",
  CONTACT_NOT_SYNCED: "The activity's contact has no synced CRM record (yet): the activity is pushed once the contact is.",
} as const;
