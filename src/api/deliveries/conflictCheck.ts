import type { Logger } from '../../logging';
import type { IngestMetrics } from '../metrics';
import { bodyDigest, messageKey, type DeliveryDigests } from './digests';

export interface ConflictRefusal {
  status: 409;
  body: { error: 'conflicting_body'; field: 'svix-id'; message: string };
}

/**
 * Refuses a signed delivery whose Svix message id came before with another body. Checked before Temporal is asked,
 * because Temporal cannot say: the request id (requestId.ts) dedupes a repeat whatever it carries, so the second body
 * would be answered `signaled` and dropped. The digest is written before the signal; a delivery Temporal then fails
 * to record is retried with the same bytes, which the digest calls `same`.
 *
 * A store that does not answer does not close ingest: the delivery goes on to Temporal (whose request id still makes
 * a same-body repeat harmless), and the miss is logged and counted. Ingest stays as available as Temporal alone.
 */
export async function bodyConflict(
  deps: { digests?: DeliveryDigests; metrics: IngestMetrics; logger: Logger },
  svixId: string,
  raw: Buffer,
): Promise<ConflictRefusal | undefined> {
  if (!deps.digests) return undefined;
  let claim;
  try {
    claim = await deps.digests.claim(messageKey(svixId), bodyDigest(raw));
  } catch (err) {
    deps.metrics.conflictChecksSkipped.inc();
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'delivery digest store did not answer');
    return undefined;
  }
  if (claim !== 'conflict') return undefined;
  deps.metrics.conflictingBodies.inc();
  return {
    status: 409,
    body: {
      error: 'conflicting_body',
      field: 'svix-id',
      message: 'this svix-id was delivered before with another body; a message body never changes',
    },
  };
}
