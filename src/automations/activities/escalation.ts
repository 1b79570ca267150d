import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import {
  FAILURE,
  httpFailure,
  outboundFetch,
  transcriptLinkFor,
  type CoreClients,
  type PostCallContext,
} from '../core';

/** The human queue the escalation example posts to: any HTTP endpoint of a helpdesk or ticketing system. */
export const EscalationConfig = z.object({
  ESCALATION_QUEUE_URL: z.url().optional(),
  ESCALATION_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** The human queue's name on the transcript links it is sent (./index.ts, TRANSCRIPT_RECEIVERS). */
export const ESCALATION_QUEUE = 'escalation-queue';

export interface EscalationTicket {
  ticketId: string;
}

/** Opens a ticket in the human queue for one session; idempotent on the session id, so retries open one ticket. */
export function createEscalationActivities(config: z.infer<typeof EscalationConfig>, core: CoreClients) {
  return {
    async openEscalationTicket(context: PostCallContext, priority: 'high' | 'normal'): Promise<EscalationTicket> {
      if (!config.ESCALATION_QUEUE_URL) {
        throw ApplicationFailure.nonRetryable('ESCALATION_QUEUE_URL is not set', FAILURE.escalationNotConfigured);
      }
      // The queue's agents may need the conversation: a link only the queue is served (its reader credential).
      const transcript = context.transcript && (await transcriptLinkFor(core, context.transcript, ESCALATION_QUEUE));
      const res = await outboundFetch(config.ESCALATION_QUEUE_URL, {
        peer: 'the human queue',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `escalation:${context.sessionId}` },
        body: JSON.stringify({
          sessionId: context.sessionId,
          priority,
          summary: context.analysis?.summary,
          resolution: context.analysis?.resolution?.classification,
          sentiment: context.analysis?.sentiment?.conversation?.sentiment,
          crmContactId: context.crmContactId,
          transcript,
          recording: context.ended.recordingUrl,
        }),
        timeoutMs: config.ESCALATION_TIMEOUT_MS,
        maxResponseBytes: 64 * 1024,
      });
      if (!res.ok) {
        throw httpFailure(`the human queue answered ${res.status}`, res, {
          retry: FAILURE.escalationUnavailable,
          final: FAILURE.escalationRefused,
        });
      }
      const ticketId = ticketIdOf(res.body);
      if (!ticketId) throw new Error('the human queue answered without a ticketId');
      return { ticketId };
    },
  };
}

function ticketIdOf(text: string): string | undefined {
  try {
    const { ticketId } = JSON.parse(text) as { ticketId?: unknown };
    return typeof ticketId === 'string' && ticketId.length <= 200 ? ticketId : undefined;
  } catch {
    return undefined;
  }
}
