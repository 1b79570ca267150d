import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallbackWish, CallingRules } from './callingTime';

/*
 * The follow-up call contract, shared by the session workflow (which schedules one), the follow-up workflow
 * (which places it), the ingest API (which routes its confirmation) and the operator command. Node-free.
 */

export const FOLLOW_UP_WORKFLOW_TYPE = 'followUpWorkflow';

/** Session variables this service adds to a follow-up call; the platform echoes them back in its webhooks. */
export const FollowUpVariables = {
  of: 'followUpOf',
  attempt: 'followUpAttempt',
  attemptId: 'followUpAttemptId',
} as const;

/** One id per follow-up: derived from the chain's original session and the attempt number. */
export const followUpWorkflowId = (rootSessionId: string, attempt: number) => `followup-${rootSessionId}-${attempt}`;

/** Where a session sits in a follow-up chain, read from its echoed session variables. */
export function chainOf(sessionVariables: Record<string, unknown>): { root: string; attempt: number } | undefined {
  const root = sessionVariables[FollowUpVariables.of];
  const attempt = Number(sessionVariables[FollowUpVariables.attempt]);
  return typeof root === 'string' && root !== '' && Number.isInteger(attempt) && attempt > 0
    ? { root, attempt }
    : undefined;
}

export interface FollowUpPolicy {
  /** Follow-ups are placed only with an API key and AGNTIX_PHONE_NUMBER_ID; otherwise the reason is here. */
  disabledBecause?: string;
  phoneNumberId?: string;
  /** The agent to call with; the original session's agent when unset. */
  agentId?: string;
  ttlSeconds: number;
  maxAttempts: number;
  /** Dial attempts per follow-up, after failures that prove no call started or an unconfirmed ambiguous one. */
  maxDials: number;
  /** How long to wait for session.created after an ambiguous calls/start failure before dialling again. */
  confirmGraceSeconds: number;
  rules: CallingRules;
  /** The agent's extraction field names for the wished day and window. */
  fields: { day: string; window: string };
}

export interface FollowUpInput {
  rootSessionId: string;
  /** The session whose outcome asked for this call (the root, or the previous follow-up's call). */
  previousSessionId: string;
  attempt: number;
  scheduledAt: string;
  wish: CallbackWish;
  customerPhoneNumber: string;
  agentId: string;
  /** The original variables, without this service's follow-up keys. */
  sessionVariables: Record<string, string>;
  policy: FollowUpPolicy;
  /** External systems to tell (the session's, captured when it started). */
  sinks: string[];
}

export type FollowUpState = 'scheduled' | 'dialling' | 'awaiting-confirmation' | 'placed' | 'cancelled' | 'failed';

export interface FollowUpStatus {
  followUpId: string;
  state: FollowUpState;
  attempt: number;
  scheduledAt: string;
  dials: string[];
  callSessionId?: string;
  confirmed: boolean;
  reason?: string;
  /** Writes to external systems that failed past their retry budget. */
  failedWrites: number;
}

/** Sent by the ingest endpoint when a follow-up call's own session.created arrives. */
export interface FollowUpConfirmation {
  attemptId: string;
  sessionId: string;
}

export const followUpConfirmedSignal = defineSignal<[FollowUpConfirmation]>('followUpConfirmed');
export const followUpStatusQuery = defineQuery<FollowUpStatus>('status');
export const cancelFollowUpUpdate = defineUpdate<FollowUpStatus, [{ reason?: string }]>('cancel');
export const rescheduleFollowUpUpdate = defineUpdate<FollowUpStatus, [{ at: string; force?: boolean }]>('reschedule');

/** What the call started for a follow-up is told about it; the session workflow needs no first event. */
export interface PlacedCall {
  agentId: string;
  sessionVariables: Record<string, string>;
  ttlSeconds: number;
  customerPhoneNumber: string;
}
