import {
  FOLLOW_UP_WORKFLOW_TYPE,
  FollowUpVariables,
  SearchAttributes,
  chainOf,
  correlationOf,
  crmContactIdOf,
  indexableCrmId,
  followUpWorkflowId,
  type ExternalEvent,
  type SessionFacts,
} from '../../contracts';
import { startDetachedChild } from '../children';
import { hashAttributes, inheritedHashes } from '../customerHashes';
import type { SessionPolicy } from '../policy';
import { resolveCallbackTime } from './callingTime';
import { callbackWishOf, decideFollowUp } from './decisions';
import { followUpEvent } from './events';
import type { FollowUpInput } from './workflow';

export type Scheduled = { followUpId: string; scheduledAt: string } | { notScheduled: string };

const FOLLOW_UP_KEYS = new Set<string>(Object.values(FollowUpVariables));

/**
 * What follows a session in its follow-up chain (see decideFollowUp): the next follow-up is scheduled, or the
 * external systems are told how the chain ended. Undefined when nothing follows or the chain ended.
 */
export async function followUpAfterSession(args: {
  sessionId: string;
  facts: SessionFacts;
  policy: SessionPolicy;
  /** The customer asked for a callback, and the rules let one be scheduled. */
  callbackWanted: boolean;
  /** Hands an event to the external systems' writes (in the background). */
  tell: (event: ExternalEvent) => void;
  /** Writes the follow-up's `follow-up.scheduled` with the session's own news; resolves with the systems told. */
  announce: (event: ExternalEvent) => Promise<string[]>;
}): Promise<Scheduled | undefined> {
  const correlation = correlationOf(args.facts);
  const decision = decideFollowUp({
    sessionId: args.sessionId,
    chain: chainOf(correlation),
    callbackRequested: args.callbackWanted,
    expired: args.facts.ended === undefined,
    maxAttempts: args.policy.followUp?.maxAttempts ?? 0,
  });
  if (decision.action === 'none') return undefined;
  if (decision.action === 'end-chain') {
    args.tell({
      idempotencyKey: `${decision.root}:follow-up.chain-ended`,
      kind: 'follow-up.chain-ended',
      followUpId: followUpWorkflowId(decision.root, decision.attempt),
      originalSessionId: decision.root,
      attempt: decision.attempt,
      callSessionId: args.sessionId,
      reason: decision.reason,
      correlation,
      recordedAt: new Date().toISOString(),
    });
    return undefined;
  }
  return scheduleFollowUp({ ...args, root: decision.root, attempt: decision.attempt });
}

/**
 * Starts the follow-up workflow for the next attempt of a chain, as a child that outlives this session, at the
 * time resolved from the customer's wish. Its id is derived from the chain's original session and the attempt.
 */
async function scheduleFollowUp(args: {
  sessionId: string;
  root: string;
  attempt: number;
  facts: SessionFacts;
  policy: SessionPolicy;
  announce: (event: ExternalEvent) => Promise<string[]>;
}): Promise<Scheduled> {
  const { facts } = args;
  const followUp = args.policy.followUp;
  if (!followUp) return { notScheduled: 'follow-ups are not configured for this session' };
  if (followUp.disabledBecause) return { notScheduled: followUp.disabledBecause };
  const event = facts.ended ?? facts.created;
  const phone = event?.metadata.customerPhoneNumber ?? facts.placedCall?.customerPhoneNumber;
  if (!phone) return { notScheduled: 'the session has no customer phone number to call back' };
  const agentId = followUp.agentId ?? event?.agentId ?? facts.placedCall?.agentId;
  if (!agentId) return { notScheduled: 'no agent to call with: set FOLLOWUP_AGENT_ID' };

  const variables = correlationOf(facts);
  for (const key of FOLLOW_UP_KEYS) delete variables[key];
  const wish = callbackWishOf(facts.ended, followUp.fields);
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
    callbackField: args.policy.callbackField,
    agentId,
    sessionVariables: variables,
    policy: followUp,
    sinks: args.policy.sinks,
    ...(args.policy.sharing ? { sharing: args.policy.sharing } : {}),
    ...(args.policy.searchIndex ? { searchIndex: args.policy.searchIndex } : {}),
  };
  const crmContactId = indexableCrmId(
    crmContactIdOf(variables, args.policy.searchIndex?.crmContactVariable),
    args.policy.searchIndex,
  );
  // Told before the start, in the session's own write (an activity fewer than the follow-up telling it), so every
  // system has it before any later news of the follow-up; a system not told here is told by the follow-up first.
  const announced = followUpEvent(followUpId, input, 'follow-up.scheduled', {
    scheduledAt: input.scheduledAt,
    dials: 0,
  });
  const announcedTo = await args.announce(announced);
  await startDetachedChild(FOLLOW_UP_WORKFLOW_TYPE, {
    workflowId: followUpId,
    args: [{ ...input, announcedTo }],
    typedSearchAttributes: [
      { key: SearchAttributes.followUpOf, value: args.root },
      { key: SearchAttributes.followUpAttempt, value: args.attempt },
      { key: SearchAttributes.followUpAt, value: scheduledAt },
      { key: SearchAttributes.followUpState, value: 'scheduled' },
      // Only an id the allow-list admits, as the ingest does (contracts/sessionView.ts).
      ...(crmContactId ? [{ key: SearchAttributes.crmContactId, value: crmContactId }] : []),
      ...hashAttributes(inheritedHashes()),
    ],
    staticSummary: `follow-up ${args.attempt} of ${args.root.slice(0, 8)} at ${scheduledAt.toISOString()}`,
  });
  return { followUpId, scheduledAt: scheduledAt.toISOString() };
}
