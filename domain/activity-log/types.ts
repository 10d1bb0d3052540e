/**
 * Every activity-log entry type, by feature. Entries hold ids, codes and field names only, never
 * personal data. The API documents the list; code can only write a type named here.
 */
export const ACTIVITY_TYPES = [
  // contacts and companies
  'contact_created', 'contact_updated', 'contact_deleted', 'company_created', 'company_updated', 'company_deleted', 'company_status_changed',
  // sequences
  'enrolled', 'unenrolled', 'completed', 'email_sent', 'email_blocked', 'email_deferred', 'email_uncertain', 'email_opened', 'email_clicked',
  'unsubscribed', 'bounced', 'complained', 'replied', 'suppression_added', 'suppression_removed',
  // promotion
  'promotion_requested', 'promotion_retry_requested', 'promotion_completed', 'promotion_failed', 'promotion_psa_unreachable',
  'psa_client_requested', 'psa_client_confirmed', 'company_linked_to_psa', 'psa_contact_synced', 'psa_contact_sync_skipped', 'psa_webhook_received', 'psa_webhook_rejected',
  // deals
  'deal_created', 'deal_updated', 'deal_deleted', 'deal_stage_changed', 'deal_activity_logged', 'deal_task_created', 'deal_task_completed',
  'deal_rule_fired', 'deal_rule_skipped', 'deal_rule_conflict',
  // duplicates, merge and import
  'contacts_merged', 'contact_merged_into', 'merge_undone', 'duplicate_dismissed',
  // GDPR erasure
  'erasure_requested', 'erasure_completed', 'retention_ended',
  // CRM sync (created locally, linked to a CRM record, updated from it, frozen, stopped, deleted as inactive, review resolved)
  'crm_sync_created', 'crm_sync_linked', 'crm_sync_updated', 'crm_sync_frozen', 'crm_sync_stopped', 'crm_sync_deleted_inactive', 'crm_sync_review_resolved',
  // account matching and company merge (the branch that matched an inbound person; merged companies)
  'person_resolved', 'companies_merged', 'company_merged_into',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
