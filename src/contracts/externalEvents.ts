import type { AnalysisData } from './agntixEvents';
import type { SessionPhase } from './sessions';

/** Where a transcript was archived; the transcript itself never enters workflow history. */
export interface TranscriptRef {
  ref: string;
  messages: number;
  pages: number;
}

export type OutcomeKind = 'in-flight' | 'completed' | 'expired';

/**
 * The normalized event every external system receives: what the CRM, the outcome webhook and the local store
 * record. One per session and kind; `idempotencyKey` lets a receiver dedupe retries.
 */
export interface OutcomeEvent {
  idempotencyKey: string;
  kind: OutcomeKind;
  sessionId: string;
  /** Where the analysis came from: the session.ended webhook, the API after a lost webhook, or nowhere. */
  source: 'webhook' | 'reconciled' | 'none';
  agentId?: string;
  sessionType?: string;
  direction?: string;
  endedAt?: string;
  summary?: string;
  intent?: string;
  resolution?: string;
  sentiment?: string;
  /** extractedData.callOutcome, else the resolution classification. */
  outcome?: string;
  extractedData?: Record<string, unknown>;
  analysis?: AnalysisData;
  recordingUrl?: string;
  /** In full only to the systems configured to receive it, masked for the others (docs/privacy.md). */
  customerPhoneNumber?: string;
  transcript?: TranscriptRef;
  correlation: Record<string, string>;
  followUpDue: boolean;
  phase: SessionPhase;
  recordedAt: string;
}

export type FollowUpEventKind =
  'follow-up.scheduled' | 'follow-up.placed' | 'follow-up.cancelled' | 'follow-up.failed' | 'follow-up.chain-ended';

/** What external systems are told about a follow-up call: scheduled, placed, and how its chain ended. */
export interface FollowUpEvent {
  idempotencyKey: string;
  kind: FollowUpEventKind;
  followUpId: string;
  originalSessionId: string;
  attempt: number;
  scheduledAt?: string;
  callSessionId?: string;
  reason?: string;
  correlation: Record<string, string>;
  recordedAt: string;
}

/** Everything the external systems record. */
export type ExternalEvent = OutcomeEvent | FollowUpEvent;

export const isFollowUpEvent = (event: ExternalEvent): event is FollowUpEvent => event.kind.startsWith('follow-up.');
