import { setHandler } from '@temporalio/workflow';
import {
  cancelFollowUpUpdate,
  followUpConfirmedSignal,
  followUpStatusQuery,
  rescheduleFollowUpUpdate,
  type FollowUpStatus,
} from '../../contracts';
import type { FollowUpPolicy, SharingPolicy } from '../policy';
import type { CallbackWish } from './callingTime';
import { FollowUp } from './followUp';

export interface FollowUpInput {
  rootSessionId: string;
  /** The session whose outcome asked for this call (the root, or the previous follow-up's call). */
  previousSessionId: string;
  attempt: number;
  scheduledAt: string;
  wish: CallbackWish;
  customerPhoneNumber: string;
  /** The agent to call with: the policy's, else the original session's (resolved when scheduled). */
  agentId: string;
  /** The original variables, without this service's follow-up keys. */
  sessionVariables: Record<string, string>;
  policy: FollowUpPolicy;
  /** External systems to tell (the session's, captured when it started). */
  sinks: string[];
  /** What they are sent (the session's); absent in follow-ups scheduled before it existed. */
  sharing?: SharingPolicy;
}

/**
 * One follow-up call (workflow id from the original session and the attempt number): waits durably for its slot,
 * which operators can cancel or move with an update, then dials. An ambiguous failure is never blindly retried:
 * the call's own session workflow confirms it when the call's first webhook arrives; only a failure that proves
 * nothing started, or no confirmation within the grace period, leads to another dial.
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpStatus> {
  const followUp = new FollowUp(input);
  setHandler(followUpStatusQuery, () => followUp.status());
  setHandler(followUpConfirmedSignal, (confirmation) => followUp.confirm(confirmation));
  setHandler(cancelFollowUpUpdate, ({ reason }) => followUp.cancel(reason), {
    validator: (_: { reason?: string }) => followUp.mustBeScheduled(),
  });
  setHandler(rescheduleFollowUpUpdate, ({ at }) => followUp.reschedule(new Date(at)), {
    validator: ({ at, force }: { at: string; force?: boolean }) => followUp.validateReschedule(at, force),
  });

  followUp.show();
  await followUp.tell('follow-up.scheduled');
  await followUp.waitForSlot();
  if (followUp.state === 'cancelled') return followUp.finish('follow-up.cancelled');

  await followUp.dialUntilPlaced();
  if (followUp.state !== 'placed') return followUp.finish('follow-up.failed');

  await followUp.finish('follow-up.placed');
  await followUp.trackCallSession();
  return followUp.status();
}
