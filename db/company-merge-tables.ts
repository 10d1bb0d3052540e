/** Kysely table types of company merges (SQL: migrations/0070_company_merge.ts). */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CompanyMergeMoveKind } from '../domain/matching/vocabulary';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;

export interface CompanyMergesTable {
  id: Generated<string>;
  primary_id: string;
  duplicate_ids: string[];
  result: Json<Record<string, unknown>>;
  merged_by: string;
  created_at: Timestamp;
}

export interface CompanyMergeMovesTable {
  id: Generated<string>;
  merge_id: string;
  kind: CompanyMergeMoveKind;
  row_ref: string;
  from_company_id: string;
}

export interface CompanyMergeTables {
  company_merges: CompanyMergesTable;
  company_merge_moves: CompanyMergeMovesTable;
}

export type CompanyMergeRow = Selectable<CompanyMergesTable>;
