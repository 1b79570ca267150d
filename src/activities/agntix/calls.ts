import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { FAILURE, finalFailure, retryAfterMs } from '../../contracts/failures';
import { isRetryableStatus } from '../httpStatus';
import { errorReference, outboundFetch, type OutboundResponse } from '../outboundFetch';

/*
 * POST .../phone-numbers/{id}/calls/start. The endpoint has no idempotency key (API.md 7.1), so a failure is
 * classified by what it proves, and the workflow, not Temporal's retry policy, decides whether to dial again:
 * - CallNotStarted: nothing can have been placed (connection refused before sending, 408, 429). Safe to redial.
 * - CallRejected: a 4xx that a repeat would get again (bad number, agent not voice-enabled, auth). Never redial.
 * - CallOutcomeUnknown: the request may have been accepted (timeout or reset after sending, 5xx). Wait for the
 *   call's own session.created, which echoes the attempt id, before dialling again.
 * A redirect is CallRejected: nothing is dialled through it, and a repeat would be redirected again. Failure
 * messages name the status and the documented error code only: the answer's text can hold the customer's number.
 */

export interface CallsClientOptions {
  baseUrl: string;
  apiKey: string;
  /** e.g. /api/v1/phone-numbers/{id}/calls/start */
  path: string;
  timeoutMs: number;
}

export interface StartCallRequest {
  phoneNumberId: string;
  to: string;
  agentId: string;
  ttlSeconds: number;
  sessionVariables: Record<string, string>;
}

/** The session id becomes a workflow id: a UUID, or at most a bounded id of the `ses_…` kind (API.md 0). */
const StartCallResponse = z.looseObject({
  sessionId: z
    .string()
    .regex(/^[\w-]{1,128}$/)
    .nullish(),
});

/** The answer is a session id; anything longer is not an answer we can read. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const NOT_STARTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function errorCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export function createCallsClient(options: CallsClientOptions) {
  return {
    async startCall(request: StartCallRequest): Promise<{ sessionId?: string }> {
      const path = options.path.replace('{id}', encodeURIComponent(request.phoneNumberId));
      let res: OutboundResponse;
      try {
        res = await outboundFetch(`${options.baseUrl.replace(/\/$/, '')}${path}`, {
          peer: 'calls/start',
          method: 'POST',
          headers: { 'x-api-key': options.apiKey, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            to_phone_number: request.to,
            agent_id: request.agentId,
            ttl: request.ttlSeconds,
            session_variables: request.sessionVariables,
          }),
          timeoutMs: options.timeoutMs,
          maxResponseBytes: MAX_RESPONSE_BYTES,
          redirectFailureType: FAILURE.callRejected,
        });
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const code = errorCode(err);
        if (code && NOT_STARTED_CODES.has(code)) {
          throw finalFailure(FAILURE.callNotStarted, `calls/start unreachable (${code}): no call placed`);
        }
        throw finalFailure(
          FAILURE.callOutcomeUnknown,
          `calls/start gave no answer (${code ?? (err as Error).name}): the call may have been placed`,
        );
      }
      if (res.ok) {
        // A 2xx placed the call, even when its answer cannot be read: the call's own webhook names the session.
        let body: unknown;
        try {
          body = res.truncated ? {} : JSON.parse(res.body);
        } catch {
          body = {};
        }
        const parsed = StartCallResponse.safeParse(body);
        return { sessionId: parsed.success ? (parsed.data.sessionId ?? undefined) : undefined };
      }
      const message = `calls/start answered ${res.status}${errorReference(res)}`;
      if (res.status === 429 || res.status === 408) {
        // Not retried by Temporal: the follow-up decides when to redial, after the pause asked for.
        throw finalFailure(FAILURE.callNotStarted, message, retryAfterMs(res.headers.get('retry-after')));
      }
      // Any other retryable status (5xx) may have come after the call was placed.
      if (isRetryableStatus(res.status)) throw finalFailure(FAILURE.callOutcomeUnknown, message);
      throw finalFailure(FAILURE.callRejected, message);
    },
  };
}

export type CallsClient = ReturnType<typeof createCallsClient>;
