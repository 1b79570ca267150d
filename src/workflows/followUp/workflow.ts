import { CancellationScope, isCancellation, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import {
  cancelFollowUpUpdate,
  dialAgainUpdate,
  followUpConfirmedSignal,
  followUpStatusQuery,
  markPlacedUpdate,
  rescheduleFollowUpUpdate,
  type FollowUpStatus,
  type SearchIndexPolicy,
} from '../../contracts';
import type { FollowUpPolicy, SharingPolicy } from '../policy';
import type { CallbackWish } from './callingTime';
import { FollowUp } from './followUp';
import { mustBeCancellable, mustNeedOperator, validateMarkPlaced, validateReschedule } from './operatorChecks';

const CANCELLED_IN_TEMPORAL = 'in Temporal (Web UI or `temporal workflow cancel`)';

export interface FollowUpInput {
  rootSessionId: string;
  /** The session whose outcome asked for this call (the root, or the previous follow-up's call). */
  previousSessionId: string;
  attempt: number;
  scheduledAt: string;
  wish: CallbackWish;
  customerPhoneNumber: string;
  /** The agent's extraction field that asks for a callback (the session's); `callbackRequested` when absent. */
  callbackField?: string;
  /** The agent to call with: the policy's, else the original session's (resolved when scheduled). */
  agentId: string;
  /** The original variables, without this service's follow-up keys. */
  sessionVariables: Record<string, string>;
  policy: FollowUpPolicy;
  /** External systems to tell (the session's, captured when it started). */
  sinks: string[];
  /** What they are sent (the session's). */
  sharing?: SharingPolicy;
  /** What the index may hold (the session's); the built-in allow-lists when absent. */
  searchIndex?: SearchIndexPolicy;
  /**
   * The systems the scheduling session already told that this follow-up is scheduled, in the write of its own
   * outcome (one activity for both); the follow-up tells the others first, before any later news of its own.
   */
  announcedTo?: string[];
}

/**
 * One follow-up call (workflow id from the original session and the attempt number): waits durably for its slot,
 * which operators can cancel or move with an update, then dials. An ambiguous failure is never blindly retried:
 * the call's own session workflow confirms it when the call's first webhook arrives, else the Agntix API is asked;
 * only a failure that proves nothing started leads to another dial, and when nothing can tell, an operator decides
 * (needs-operator: markPlaced or dialAgain).
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpStatus> {
  const followUp = new FollowUp(input);
  setHandler(followUpStatusQuery, () => followUp.status());
  setHandler(followUpConfirmedSignal, (confirmation) => followUp.confirm(confirmation));
  setHandler(cancelFollowUpUpdate, ({ reason }) => followUp.cancel(reason), {
    validator: (_: { reason?: string }) => mustBeCancellable(followUp.state),
  });
  setHandler(rescheduleFollowUpUpdate, ({ at }) => followUp.reschedule(new Date(at)), {
    validator: ({ at, force }: { at: string; force?: boolean }) =>
      validateReschedule(followUp.state, at, force, input.policy.rules),
  });
  // An uncertain dial (needs-operator): the call did reach the customer, or it did not and is dialled again.
  setHandler(markPlacedUpdate, ({ sessionId, note }) => followUp.markPlaced(sessionId, note), {
    validator: ({ sessionId }: { sessionId: string }) => validateMarkPlaced(followUp.state, sessionId),
  });
  setHandler(dialAgainUpdate, ({ reason }) => followUp.dialAgain(reason), {
    validator: (_: { reason?: string }) => mustNeedOperator(followUp.state),
  });

  followUp.show();
  try {
    followUp.announce();
    await followUp.waitForSlot();
    // A call answered after its session expired (its webhooks late) is never followed by another attempt.
    await followUp.askAboutLastCall();
    if (followUp.state !== 'cancelled') await followUp.dialUntilPlaced();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // "Request Cancellation" in the Web UI or `temporal workflow cancel` is an operator's cancel too: every system
    // is told, as after the cancel update, and the run still ends CANCELED as the operator asked.
    await CancellationScope.nonCancellable(async () => {
      followUp.cancel(CANCELLED_IN_TEMPORAL);
      followUp.finish();
      await followUp.done();
    });
    throw err;
  }

  followUp.finish();
  if (followUp.state === 'placed') await followUp.trackCallSession();
  return followUp.done();
}

// With Worker Deployment versioning, a follow-up that waits up to 30 days must not hold its build's workers alive: it
// moves to the current build at its next task, so a change to this workflow's shape goes behind a patch (replay gate).
// Declared only on a versioned worker: the server refuses a versioning behavior from an unversioned one.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}),
  followUpWorkflow,
);
