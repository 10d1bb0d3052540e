import type { Migration } from 'kysely';
import * as m0001 from './0001_platform';
import * as m0002 from './0002_sequences';
import * as m0003 from './0003_promotion';
import * as m0004 from './0004_hardening';
import * as m0020 from './0020_duplicates_import';
import * as m0030 from './0030_deals';
import * as m0040 from './0040_erasure';
import * as m0050 from './0050_crm_sync';
import * as m0060 from './0060_crm_sync_two_way';
import * as m0070 from './0070_company_merge';

/** Every migration, in order. Landed migrations are frozen: add a new file instead of editing. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_sequences': m0002,
  '0003_promotion': m0003,
  '0004_hardening': m0004,
  '0020_duplicates_import': m0020,
  '0030_deals': m0030,
  '0040_erasure': m0040,
  '0050_crm_sync': m0050,
  '0060_crm_sync_two_way': m0060,
  '0070_company_merge': m0070,
};
