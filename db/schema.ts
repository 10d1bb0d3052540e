import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Kysely table types; the SQL lives in migrations/. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T, string | T>;

export type CompanyStatus = 'prospect' | 'active' | 'customer' | 'inactive';
export type ContactStatus = 'active' | 'inactive' | 'bounced' | 'unsubscribed';
export type Consent = 'opted_in' | 'opted_out' | 'unknown';
export type Role = 'rep' | 'admin' | 'compliance' | 'operator';

export interface CompaniesTable {
  id: Generated<string>;
  name: string;
  domains: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<CompanyStatus, CompanyStatus | undefined, CompanyStatus>;
  type: string | null;
  psa_client_id: string | null;
  external_ids: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactsTable {
  id: Generated<string>;
  email: string | null;
  email_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  company_id: string | null;
  status: ColumnType<ContactStatus, ContactStatus | undefined, ContactStatus>;
  consent: ColumnType<Consent, Consent | undefined, Consent>;
  time_zone: string | null;
  owner_id: string | null;
  external_ids: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  name: string;
  role: Role;
  created_at: Timestamp;
  disabled_at: Date | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Timestamp;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface ActivitiesTable {
  id: Generated<string>;
  contact_id: string | null;
  company_id: string | null;
  type: string;
  reason_code: string | null;
  data: Json<Record<string, unknown>>;
  actor: string;
  /** Makes appends from retried activities idempotent. */
  dedupe_key: string | null;
  occurred_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  request_id: string;
  user_id: string | null;
  api_key_id: string | null;
  role: string | null;
  method: string;
  route: string;
  status_code: number;
  entity_type: string | null;
  entity_id: string | null;
  occurred_at: Timestamp;
}

export interface Database {
  companies: CompaniesTable;
  contacts: ContactsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  activities: ActivitiesTable;
  audit_log: AuditLogTable;
}

export type CompanyRow = Selectable<CompaniesTable>;
export type ContactRow = Selectable<ContactsTable>;
export type NewContact = Insertable<ContactsTable>;
export type ContactUpdate = Updateable<ContactsTable>;
export type ActivityRow = Selectable<ActivitiesTable>;
