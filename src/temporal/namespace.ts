import Long from 'long';
import type { Connection } from '@temporalio/client';

/**
 * Svix retries a delivery for about a day (27.5 h on its default schedule). A closed workflow is remembered only for
 * the namespace's retention; a redelivery after that would start a second run. Three days leaves a margin.
 */
export const MIN_RETENTION_SECONDS = 3 * 24 * 60 * 60;

/** Raises the namespace's retention to at least MIN_RETENTION_SECONDS; never lowers it. */
export async function ensureRetention(connection: Connection, namespace: string): Promise<void> {
  const described = await connection.workflowService.describeNamespace({ namespace });
  const current = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
  if (current >= MIN_RETENTION_SECONDS) return;
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: { seconds: Long.fromNumber(MIN_RETENTION_SECONDS) } },
  });
}
