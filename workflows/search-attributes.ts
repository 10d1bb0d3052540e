/**
 * Every custom search attribute the service registers, in one place: workflow contracts pick theirs
 * from here, the launchers and test harnesses register exactly this set. PostgreSQL visibility allows at
 * most 10 Keyword attributes per namespace (and 3 of each other type), so the budget is checked here
 * and at registration. Values are opaque ids only, never personal data.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributes = {
  ContactId: defineSearchAttributeKey('ContactId', SearchAttributeType.KEYWORD),
  CompanyId: defineSearchAttributeKey('CompanyId', SearchAttributeType.KEYWORD),
  SequenceId: defineSearchAttributeKey('SequenceId', SearchAttributeType.KEYWORD),
  EnrollmentId: defineSearchAttributeKey('EnrollmentId', SearchAttributeType.KEYWORD),
  ConnectorId: defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD),
  ErasureRequestId: defineSearchAttributeKey('ErasureRequestId', SearchAttributeType.KEYWORD),
  DealId: defineSearchAttributeKey('DealId', SearchAttributeType.KEYWORD),
} as const;

export type SearchAttributeName = keyof typeof searchAttributes;

/** PostgreSQL (SQL) visibility's per-namespace limit for Keyword attributes. */
export const KEYWORD_SEARCH_ATTRIBUTE_LIMIT = 10;

export const SEARCH_ATTRIBUTE_NAMES = Object.keys(searchAttributes) as SearchAttributeName[];
