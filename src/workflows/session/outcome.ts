import {
  correlationOf,
  type OutcomeEvent,
  type OutcomeKind,
  type SessionFacts,
  type SessionPhase,
  type TranscriptRef,
} from '../../contracts';
import type { SessionPolicy } from '../policy';
import { followUpDue, outcomeLabel } from './decisions';

export interface OutcomeInput extends SessionFacts {
  kind: OutcomeKind;
  sessionId: string;
  source: OutcomeEvent['source'];
  transcript?: TranscriptRef;
  phase: SessionPhase;
  policy: SessionPolicy;
  now: Date;
  /** The expired outcome's key, when this completed outcome replaces it (a late session.ended). */
  supersedes?: string;
}

/**
 * The normalized outcome, before each external system's share of it is cut (../sharing.ts). The phone number is in
 * it only under a sharing policy, which masks it for every system not configured to receive it.
 */
export function buildOutcome(input: OutcomeInput): OutcomeEvent {
  const event = input.ended ?? input.created;
  const analysis = input.ended?.analysis;
  const phone = event?.metadata.customerPhoneNumber ?? input.placedCall?.customerPhoneNumber;
  return {
    idempotencyKey: `${input.sessionId}:${input.kind}`,
    kind: input.kind,
    sessionId: input.sessionId,
    source: input.source,
    agentId: event?.agentId,
    sessionType: event?.type,
    direction: event?.direction,
    startedAt: (input.created ?? input.ended)?.createdAt,
    endedAt: input.ended?.endedAt,
    summary: analysis?.summary,
    intent: analysis?.intent?.conversation?.intent ?? undefined,
    resolution: analysis?.resolution?.classification,
    sentiment: analysis?.sentiment?.conversation?.sentiment,
    outcome: input.kind === 'expired' ? 'EXPIRED' : outcomeLabel(input.ended),
    extractedData: analysis?.extractedData,
    analysis,
    recordingUrl: input.ended?.recordingUrl,
    ...(input.policy.sharing && phone ? { customerPhoneNumber: phone } : {}),
    transcript: input.transcript,
    correlation: correlationOf(input),
    followUpDue: followUpDue(input.ended, input.policy),
    phase: input.phase,
    recordedAt: input.now.toISOString(),
    ...(input.supersedes ? { supersedes: input.supersedes } : {}),
  };
}
