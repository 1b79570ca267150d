import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SessionEvent } from '../events/schemas';
import type { PlacedCall } from './followUp';

/*
 * The contract between the ingest API and the workflows. Node-free: the workflow bundle imports it, and so does the
 * API, which never imports workflow or activity implementations.
 */

export const DEFAULT_TASK_QUEUE = 'agntix-sessions';
export const SESSION_WORKFLOW_TYPE = 'sessionWorkflow';

export type SessionEventType = SessionEvent['eventType'];

/** What the ingest endpoint signals: the parsed event and the Svix message id, stable across redeliveries. */
export interface SessionEventSignal {
  svixId: string;
  receivedAt: string;
  event: SessionEvent;
}

export const sessionEventSignal = defineSignal<[SessionEventSignal]>('agntixEvent');

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

/** Input of a session workflow: the id; everything else arrives by signal. */
export interface SessionWorkflowInput {
  sessionId: string;
  /** Set when a follow-up workflow placed this call: the session is followed before any webhook arrives. */
  placedCall?: PlacedCall;
}
