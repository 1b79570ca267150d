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
}

/** The normalized outcome every external system records. No phone number: ids and analysis only. */
export function buildOutcome(input: OutcomeInput): OutcomeEvent {
  const event = input.ended ?? input.created;
  const analysis = input.ended?.analysis;
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
    transcript: input.transcript,
    correlation: correlationOf(input),
    followUpDue: followUpDue(input.ended, input.policy),
    phase: input.phase,
    recordedAt: input.now.toISOString(),
  };
}
