import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { isSessionId } from './sessionIds';

/*
 * The follow-up call contract, shared by the session workflow (which schedules and confirms one), the follow-up
 * workflow (which places it) and the operator command. Node-free.
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

/**
 * The highest attempt number read as a chain. FOLLOWUP_MAX_ATTEMPTS is at most 10; the headroom is for chains begun
 * under an older setting. Anything past it (1e300 is an integer too) is no chain, never an Int search attribute or a
 * workflow id Temporal would refuse.
 */
export const MAX_CHAIN_ATTEMPT = 100;

/**
 * Where a session sits in a follow-up chain, read from its echoed session variables. The payload is the platform's
 * echo, so it is checked: the root must be a session id and the attempt 1..MAX_CHAIN_ATTEMPT, otherwise no chain.
 */
export function chainOf(sessionVariables: Record<string, unknown>): { root: string; attempt: number } | undefined {
  const root = sessionVariables[FollowUpVariables.of];
  const attempt = Number(sessionVariables[FollowUpVariables.attempt]);
  return isSessionId(root) && Number.isInteger(attempt) && attempt >= 1 && attempt <= MAX_CHAIN_ATTEMPT
    ? { root, attempt }
    : undefined;
}

/**
 * `needs-operator`: a dial's outcome is unknown (calls/start gave no clear answer, no webhook confirmed it, the Agntix
 * API could not say) and dialling again could call the customer twice: an operator marks it placed or dials again.
 */
export type FollowUpState =
  'scheduled' | 'dialling' | 'awaiting-confirmation' | 'needs-operator' | 'placed' | 'cancelled' | 'failed';

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
  /** What showed the call was placed: calls/start's answer, the call's webhook, the Agntix API, or an operator. */
  placedBy?: 'answer' | 'webhook' | 'api' | 'operator';
}

/**
 * Sent by the call's own session workflow when its first webhook echoes the attempt id of a dial, with what the
 * follow-up checks: only an outbound voice session to the same customer number with the same agent confirms a dial.
 */
export interface FollowUpConfirmation {
  attemptId: string;
  sessionId: string;
  type?: string;
  direction?: string;
  agentId?: string;
  customerPhoneNumber?: string;
}

export const followUpConfirmedSignal = defineSignal<[FollowUpConfirmation]>('followUpConfirmed');
export const followUpStatusQuery = defineQuery<FollowUpStatus>('status');
export const cancelFollowUpUpdate = defineUpdate<FollowUpStatus, [{ reason?: string }]>('cancel');
export const rescheduleFollowUpUpdate = defineUpdate<FollowUpStatus, [{ at: string; force?: boolean }]>('reschedule');

/** For a follow-up in `needs-operator`: the call did start; `sessionId` is its Agntix session (it is then followed). */
export const markPlacedUpdate = defineUpdate<FollowUpStatus, [{ sessionId: string; note?: string }]>('markPlaced');
/** For a follow-up in `needs-operator`: no call reached the customer; dial once more. */
export const dialAgainUpdate = defineUpdate<FollowUpStatus, [{ reason?: string }]>('dialAgain');
