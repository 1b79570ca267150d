import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import Long from 'long';
import { SearchAttributes } from '../contracts';
import { MIN_RETENTION_SECONDS, ensureRetention } from './namespace';

/**
 * Prepares a namespace for this service, idempotently: registers the missing custom search attributes through the
 * operator service and raises retention above the webhook retry window. Works on self-hosted clusters; on Temporal
 * Cloud, where the operator API may not accept these calls, create the same attributes in the Cloud UI or tcld.
 */
export async function setupNamespace(
  connection: Connection,
  namespace: string,
): Promise<{ added: string[]; created: boolean }> {
  const created = await createNamespaceIfMissing(connection, namespace);
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.values(SearchAttributes).filter((key) => !known.has(key.name));
  if (missing.length > 0) {
    const searchAttributes: Record<string, number> = {};
    for (const key of missing) searchAttributes[key.name] = encodeSearchAttributeIndexedValueType(key.type) ?? 0;
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  }
  await ensureRetention(connection, namespace);
  return { added: missing.map((key) => key.name), created };
}

/**
 * A self-hosted cluster starts with no namespace of ours (the dev server and Temporal Cloud have one already).
 * A new namespace reaches the frontends' caches within seconds (10 s refresh); until then they answer NOT_FOUND.
 */
async function createNamespaceIfMissing(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (err) {
    if (!(isGrpcServiceError(err) && err.code === grpcStatus.NOT_FOUND)) throw err;
  }
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(MIN_RETENTION_SECONDS) },
  });
  for (const until = Date.now() + NAMESPACE_PROPAGATION_MS; ;) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      return true;
    } catch (err) {
      const notYet = isGrpcServiceError(err) && err.code === grpcStatus.NOT_FOUND;
      if (!notYet || Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

const NAMESPACE_PROPAGATION_MS = 30_000;
