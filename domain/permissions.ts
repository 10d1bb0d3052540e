/**
 * The role × permission matrix. Every API route declares exactly one permission; the README's
 * matrix is this table, and a test calls every route with every role that lacks its permission.
 */
export const ROLES = ['rep', 'admin', 'compliance', 'operator'] as const;
export type RoleName = (typeof ROLES)[number];

export const PERMISSIONS = {
  'companies:read': 'Read companies and their activity',
  'companies:write': 'Create, update and delete companies',
  'companies:merge': 'Merge duplicate companies into one (contacts, activity, deals, promotions and CRM links move to the primary)',
  'contacts:read': 'Read contacts, their activity, enrollments and diagnostics',
  'contacts:write': 'Create, update, delete and unsubscribe contacts',
  'sequences:read': 'Read sequences',
  'sequences:write': 'Create, edit, activate, pause, resume and archive sequences',
  'enrollments:read': 'Read enrollments and their status',
  'enrollments:write': 'Enroll contacts; pause, resume and unenroll enrollments',
  'mailboxes:read': 'Read mailboxes (never their secrets)',
  'mailboxes:write': 'Connect, disconnect and configure mailboxes',
  'suppressions:read': 'Read the suppression list',
  'suppressions:write': 'Add to and remove from the suppression list',
  'promotions:read': 'Read company-to-client promotions',
  'promotions:write': 'Promote companies to PSA clients and retry promotions',
  'connectors:read': 'Read CRM sync connectors',
  'connectors:write': 'Configure CRM sync connectors',
  'erasure:read': 'Read GDPR erasure requests',
  'erasure:write': 'Request GDPR erasure',
  'users:read': 'Read users and API keys (never the keys themselves)',
  'users:write': 'Create users, issue and revoke API keys',
  'audit:read': 'Read the API audit log',
  'pipelines:read': 'Read pipelines, their stages and automation rules',
  'pipelines:write': 'Create and edit pipelines and their automation rules',
  'deals:read': 'Read deals, their stage history, diagnostics and the forecast',
  'deals:write': "Create, update, move and delete deals (reps: their own and their reports'; stage moves on unrestricted pipelines: any deal)",
  'contacts:export': 'Export contacts as CSV (every field of every contact the filters select)',
  'imports:write': 'Import contacts from CSV files; cancel imports',
  'jobs:read': 'Read the progress of imports and duplicate scans, and import error reports (counts, row numbers, field names and codes only: no personal data)',
  'duplicates:read': 'Read duplicate candidates (clusters of contacts with their reasons)',
  'duplicates:write': 'Start duplicate scans; dismiss candidate pairs',
  'metrics:read': "Scrape the API's Prometheus metrics (GET /metrics: counts by route pattern and code, no personal data)",
  'payloads:decode': 'Decode and encode Temporal payloads through the codec server (the Temporal Web UI)',
} as const;
export type Permission = keyof typeof PERMISSIONS;

/** Operators: workflow and job status by id, no contact personal data (no contacts:read). */
const readStatus: Permission[] = ['companies:read', 'sequences:read', 'enrollments:read', 'mailboxes:read', 'promotions:read', 'connectors:read', 'erasure:read', 'pipelines:read', 'deals:read', 'jobs:read', 'metrics:read'];
/** Duplicates and CSV import: reps import and resolve duplicates of their contacts, as admins do for all. */
const repDuplicatesAndImport: Permission[] = ['contacts:export', 'imports:write', 'jobs:read', 'duplicates:read', 'duplicates:write'];

export const ROLE_PERMISSIONS: Record<RoleName, ReadonlySet<Permission>> = {
  rep: new Set<Permission>(['companies:read', 'companies:write', 'contacts:read', 'contacts:write', 'sequences:read', 'enrollments:read', 'enrollments:write', 'mailboxes:read', 'promotions:read', 'pipelines:read', 'deals:read', 'deals:write', ...repDuplicatesAndImport]),
  admin: new Set<Permission>(
    (Object.keys(PERMISSIONS) as Permission[]).filter((p) => p !== 'erasure:write'),
  ),
  compliance: new Set<Permission>(['companies:read', 'contacts:read', 'enrollments:read', 'suppressions:read', 'erasure:read', 'erasure:write', 'audit:read']),
  // Operators watch workflows in the Temporal Web UI: its codec server decodes payloads (ids only) for them.
  operator: new Set<Permission>([...readStatus, 'payloads:decode']),
};

export function roleHasPermission(role: RoleName, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
