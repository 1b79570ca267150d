import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { startChild } from '@temporalio/workflow';
import type { SessionCreatedEvent, SessionEndedEvent } from '../events/schemas';
import { resolveCallbackTime } from '../shared/callingTime';
import {
  FOLLOW_UP_WORKFLOW_TYPE,
  FollowUpVariables,
  chainOf,
  followUpWorkflowId,
  type FollowUpInput,
  type PlacedCall,
} from '../shared/followUp';
import type { SessionPolicy } from '../shared/policy';
import { SearchAttributes } from '../shared/searchAttributes';
import { correlationOf } from '../shared/sessionView';
import type { ExternalEvent } from '../shared/outcome';
import { callbackWishOf, decideFollowUp } from './decisions';

export type Scheduled = { followUpId: string; scheduledAt: string } | { notScheduled: string };

const FOLLOW_UP_KEYS = new Set<string>(Object.values(FollowUpVariables));

/**
 * Starts the follow-up workflow for the next attempt of a chain, as a child that outlives this session (parent
 * close policy ABANDON), at the time resolved from the customer's wish. Its id is derived from the chain's
 * original session and the attempt, so a replayed or repeated decision finds the same workflow.
 */
export async function scheduleFollowUp(args: {
  sessionId: string;
  root: string;
  attempt: number;
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;
  placedCall?: PlacedCall;
  policy: SessionPolicy;
}): Promise<Scheduled> {
  const followUp = args.policy.followUp;
  if (!followUp) return { notScheduled: 'follow-ups are not configured for this session' };
  if (followUp.disabledBecause) return { notScheduled: followUp.disabledBecause };
  const event = args.ended ?? args.created;
  const phone = event?.metadata.customerPhoneNumber ?? args.placedCall?.customerPhoneNumber;
  if (!phone) return { notScheduled: 'the session has no customer phone number to call back' };
  const agentId = followUp.agentId ?? event?.agentId ?? args.placedCall?.agentId;
  if (!agentId) return { notScheduled: 'no agent to call with: set FOLLOWUP_AGENT_ID' };

  const variables = event ? correlationOf(event) : { ...args.placedCall?.sessionVariables };
  for (const key of FOLLOW_UP_KEYS) delete variables[key];
  const wish = callbackWishOf(args.ended, followUp.fields);
  let scheduledAt: Date;
  try {
    scheduledAt = resolveCallbackTime(wish, new Date(), followUp.rules).at;
  } catch (err) {
    return { notScheduled: (err as Error).message };
  }
  const followUpId = followUpWorkflowId(args.root, args.attempt);
  const input: FollowUpInput = {
    rootSessionId: args.root,
    previousSessionId: args.sessionId,
    attempt: args.attempt,
    scheduledAt: scheduledAt.toISOString(),
    wish,
    customerPhoneNumber: phone,
    agentId,
    sessionVariables: variables,
    policy: followUp,
    sinks: args.policy.sinks,
  };
  try {
    await startChild(FOLLOW_UP_WORKFLOW_TYPE, {
      workflowId: followUpId,
      args: [input],
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SearchAttributes.followUpOf, value: args.root },
        { key: SearchAttributes.followUpAttempt, value: args.attempt },
        { key: SearchAttributes.followUpAt, value: scheduledAt },
        ...(variables.crmContactId ? [{ key: SearchAttributes.crmContactId, value: variables.crmContactId }] : []),
      ],
      staticSummary: `follow-up ${args.attempt} of ${args.root.slice(0, 8)} at ${scheduledAt.toISOString()}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { followUpId, scheduledAt: scheduledAt.toISOString() };
}

/**
 * What follows a session in its follow-up chain (see decideFollowUp): the next follow-up is scheduled, or the
 * external systems are told how the chain ended. Undefined when nothing follows or the chain ended.
 */
export async function followUpAfterSession(args: {
  sessionId: string;
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;
  placedCall?: PlacedCall;
  policy: SessionPolicy;
  followUpDue: boolean;
  correlation: Record<string, string>;
  tell: (event: ExternalEvent) => Promise<void>;
}): Promise<Scheduled | undefined> {
  const variables = (args.created ?? args.ended)?.metadata.sessionVariables ?? args.placedCall?.sessionVariables ?? {};
  const decision = decideFollowUp({
    sessionId: args.sessionId,
    chain: chainOf(variables),
    callbackRequested: args.followUpDue,
    expired: args.ended === undefined,
    maxAttempts: args.policy.followUp?.maxAttempts ?? 0,
  });
  if (decision.action === 'none') return undefined;
  if (decision.action === 'end-chain') {
    await args.tell({
      idempotencyKey: `${decision.root}:follow-up.chain-ended`,
      kind: 'follow-up.chain-ended',
      followUpId: followUpWorkflowId(decision.root, decision.attempt),
      originalSessionId: decision.root,
      attempt: decision.attempt,
      callSessionId: args.sessionId,
      reason: decision.reason,
      correlation: args.correlation,
      recordedAt: new Date().toISOString(),
    });
    return undefined;
  }
  return scheduleFollowUp({ ...args, root: decision.root, attempt: decision.attempt });
}
