import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError } from '@temporalio/client';

/** Our own deadline passed before Temporal answered. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
}

/** The event could not be converted to a Temporal payload: the same bytes fail the same way on every retry. */
export class UnconvertibleEvent extends Error {
  override name = 'UnconvertibleEvent';
}

/** Why a signed, well-formed delivery was not recorded, and so what Svix should be told. */
export type RecordingFailure =
  /** Temporal refuses this input; a retry cannot change that. Answered 4xx. */
  | { kind: 'refused'; field?: string; detail: string }
  /** Temporal is unavailable, slow or overloaded (or we failed unexpectedly): answered 503, Svix retries. */
  | { kind: 'unavailable'; reason: 'deadline' | 'temporal' | 'unexpected'; detail: string };

/**
 * The rule: 503 only when a retry may succeed. gRPC INVALID_ARGUMENT is Temporal refusing the input itself (a limit
 * the API's own bounds did not catch), so it is the sender's problem: 4xx. UNAVAILABLE, DEADLINE_EXCEEDED,
 * RESOURCE_EXHAUSTED and every other status (a namespace being failed over, a missing permission an operator will
 * fix) may pass: 503. ALREADY_EXISTS never gets here; the signaler reads it as a duplicate.
 */
export function classifyRecordingFailure(err: unknown): RecordingFailure {
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof DeadlineExceeded) return { kind: 'unavailable', reason: 'deadline', detail };
  if (err instanceof UnconvertibleEvent) return { kind: 'refused', detail };
  if (isGrpcServiceError(err)) {
    if (err.code !== grpcStatus.INVALID_ARGUMENT) return { kind: 'unavailable', reason: 'temporal', detail };
    // The only input-derived id Temporal sees is the workflow id; for anything else the field is not known.
    return { kind: 'refused', field: /workflow ?id/i.test(err.details) ? 'id' : undefined, detail: err.details };
  }
  return { kind: 'unavailable', reason: 'unexpected', detail };
}
