import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SearchAttributes } from '../contracts';
import { ensureRetention } from './namespace';

/**
 * Prepares a namespace for this service, idempotently: registers the missing custom search attributes through the
 * operator service and raises retention above the webhook retry window. Works on self-hosted clusters; on Temporal
 * Cloud, where the operator API may not accept these calls, create the same attributes in the Cloud UI or tcld.
 */
export async function setupNamespace(connection: Connection, namespace: string): Promise<{ added: string[] }> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(SearchAttributes).filter((key) => !known.has(key.name));
  if (missing.length > 0) {
    const searchAttributes: Record<string, number> = {};
    for (const key of missing) searchAttributes[key.name] = encodeSearchAttributeIndexedValueType(key.type) ?? 0;
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  }
  await ensureRetention(connection, namespace);
  return { added: missing.map((key) => key.name) };
}
