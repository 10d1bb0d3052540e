/**
 * Registers the service's custom search attributes (workflows/search-attributes.ts) on a namespace.
 * Fails loudly, before touching the server, if the set exceeds what PostgreSQL visibility allows.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { KEYWORD_SEARCH_ATTRIBUTE_LIMIT, searchAttributes } from '../workflows/search-attributes';

export class SearchAttributeBudgetError extends Error {
  override readonly name = 'SearchAttributeBudgetError';
}

/** The Keyword attribute names, after checking the budget. */
export function keywordSearchAttributeNames(): string[] {
  const keywords = Object.values(searchAttributes).filter((key) => key.type === SearchAttributeType.KEYWORD).map((key) => key.name);
  if (keywords.length > KEYWORD_SEARCH_ATTRIBUTE_LIMIT) {
    throw new SearchAttributeBudgetError(
      `${keywords.length} Keyword search attributes are defined (${keywords.join(', ')}), but PostgreSQL visibility allows at most ${KEYWORD_SEARCH_ATTRIBUTE_LIMIT} per namespace. Remove one from workflows/search-attributes.ts.`,
    );
  }
  return keywords;
}

/**
 * Adds the missing ones; attributes already registered are left alone. Returns the names it added.
 * `fresh`: the server is known to have none of them (the time-skipping test server, which cannot list them).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string, opts: { fresh?: boolean } = {}): Promise<string[]> {
  const names = keywordSearchAttributeNames();
  const existing = opts.fresh ? {} : ((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {});
  const missing = names.filter((name) => !(name in existing));
  if (missing.length === 0) return [];
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])) });
  return missing;
}
