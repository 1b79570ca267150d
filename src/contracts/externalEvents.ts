import type { AnalysisData } from './agntixEvents';
import type { SessionPhase } from './sessions';

/** Where a transcript was archived; the transcript itself never enters workflow history. */
export interface TranscriptRef {
  ref: string;
  messages: number;
  pages: number;
}

/**
 * `transcript-archived` follows `completed` when the transcript came later than the outcome (an Agntix API outage):
 * the same outcome, now with its transcript reference.
 */
export type OutcomeKind = 'in-flight' | 'completed' | 'expired' | 'transcript-archived';

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
  /** When the session began (its createdAt), so a CRM can show the call's duration. */
  startedAt?: string;
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
  /**
   * A completed outcome that replaces the session's expiry (its session.ended came late): the idempotency key of the
   * expired outcome it supersedes. A receiver keeps this one; the store's row and the CRM's call move to completed.
   */
  supersedes?: string;
}

export type FollowUpEventKind =
  | 'follow-up.scheduled'
  | 'follow-up.placed'
  | 'follow-up.cancelled'
  | 'follow-up.failed'
  | 'follow-up.chain-ended'
  /** A dial's outcome is unknown and an operator must decide (see FollowUpState). */
  | 'follow-up.needs-operator';

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

/**
 * How to reach the customer, for the systems that must find them (a CRM looks the contact up by phone). Passed
 * beside the event, never inside it: the event itself carries no phone number (the outcome webhook and the local
 * store record it as it is).
 */
export interface ContactDetails {
  phoneNumber?: string;
}

/** Everything the external systems record. */
export type ExternalEvent = OutcomeEvent | FollowUpEvent;

export const isFollowUpEvent = (event: ExternalEvent): event is FollowUpEvent => event.kind.startsWith('follow-up.');
