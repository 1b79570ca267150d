import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SessionEvent } from './agntixEvents';
import type { TranscriptRef } from './externalEvents';

/*
 * The session contract between the ingest API, the workflows and the operator tools. Node-free: the workflow bundle
 * imports it. Wire names (workflow type, signal, query) are fixed: running sessions and recorded histories use them.
 */

export const DEFAULT_TASK_QUEUE = 'agntix-sessions';
export const SESSION_WORKFLOW_TYPE = 'sessionWorkflow';

export type SessionEventType = SessionEvent['eventType'];

/** What the ingest endpoint signals: the parsed event and the Svix message id, stable across redeliveries. */
export interface AgntixEventSignal {
  svixId: string;
  receivedAt: string;
  event: SessionEvent;
}

/** Every Agntix webhook of a session arrives at its workflow as this signal, by signal-with-start. */
export const agntixEventSignal = defineSignal<[AgntixEventSignal]>('agntixEvent');

export type SessionPhase = 'awaiting-end' | 'post-call' | 'follow-up-scheduled' | 'done' | 'expired';

export interface SeenEvent {
  eventType: SessionEventType;
  svixId: string;
  receivedAt: string;
}

export interface StepFailure {
  step: string;
  message: string;
}

/** Returned by the `status` query: where the session is, what it has seen, what went wrong. */
export interface SessionStatus {
  sessionId: string;
  phase: SessionPhase;
  seen: SeenEvent[];
  duplicatesIgnored: number;
  failures: StepFailure[];
}

export const statusQuery = defineQuery<SessionStatus>('status');

/** What the call started for a follow-up is told about it; the session workflow needs no first event. */
export interface PlacedCall {
  agentId: string;
  sessionVariables: Record<string, string>;
  ttlSeconds: number;
  customerPhoneNumber: string;
}

/** Input of a session workflow: the id; everything else arrives by signal. */
export interface SessionWorkflowInput {
  sessionId: string;
  /** Set when a follow-up workflow placed this call: the session is followed before any webhook arrives. */
  placedCall?: PlacedCall;
  /**
   * Set by the ingest when a `session.ended` arrives after an earlier run of this session closed as expired (its
   * late-end window over): this run records the late end in place of the expiry. `followUp` is the follow-up the
   * expiry already scheduled, which asks the platform about this call before it dials (so none is scheduled again).
   */
  followsExpiry?: { followUp?: { followUpId: string; scheduledAt: string } };
}

/** What a session workflow returns. */
export interface SessionResult {
  sessionId: string;
  phase: SessionPhase;
  /** Where the analysis came from: the session.ended webhook, the API after a lost webhook, or nowhere. */
  source: 'webhook' | 'reconciled' | 'none';
  outcome?: string;
  followUpDue: boolean;
  /** The follow-up workflow this session scheduled, if any. */
  followUp?: { followUpId: string; scheduledAt: string };
  /** The post-call rules that matched, and the workflows they started. */
  rules?: { matched: string[]; started: string[] };
  transcript?: TranscriptRef;
  /** The outcome replaces an earlier expiry of this session: the idempotency key of the expired outcome. */
  supersedes?: string;
  /** The store already held this session's final outcome (its history is gone): nothing was recorded again. */
  alreadyRecorded?: boolean;
  seen: SeenEvent[];
  failures: StepFailure[];
}
