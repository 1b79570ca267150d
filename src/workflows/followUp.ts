import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { SessionActivities } from '../activities';
import { DIAL_OPTIONS, SINK_OPTIONS } from './activityOptions';
import { insideCallingHours } from '../shared/callingTime';
import { SESSION_WORKFLOW_TYPE } from '../shared/definitions';
import {
  FollowUpVariables,
  cancelFollowUpUpdate,
  followUpConfirmedSignal,
  followUpStatusQuery,
  rescheduleFollowUpUpdate,
  type FollowUpConfirmation,
  type FollowUpInput,
  type FollowUpState,
  type FollowUpStatus,
} from '../shared/followUp';
import type { FollowUpEvent, FollowUpEventKind } from '../shared/outcome';
import { SearchAttributes } from '../shared/searchAttributes';

const acts = proxyActivities<SessionActivities>(SINK_OPTIONS);

export type FollowUpResult = FollowUpStatus;

const failureType = (err: ActivityFailure) => (err.cause instanceof ApplicationFailure ? err.cause.type : undefined);

/**
 * One follow-up call (workflow id from the original session and the attempt number): waits durably for its slot,
 * which operators can cancel or move with an update, then dials once. An ambiguous failure is never blindly
 * retried: the call's own session.created, routed here by the ingest endpoint, confirms it; only a failure that
 * proves nothing started, or no confirmation within the grace period, leads to another dial.
 */
export async function followUpWorkflow(input: FollowUpInput): Promise<FollowUpResult> {
  const { policy } = input;
  const followUpId = workflowInfo().workflowId;
  let state = 'scheduled' as FollowUpState;
  let scheduledAt = new Date(input.scheduledAt);
  let reason: string | undefined;
  let callSessionId: string | undefined;
  let confirmation: FollowUpConfirmation | undefined;
  const dials: string[] = [];
  let failedWrites = 0;

  const status = (): FollowUpStatus => ({
    followUpId,
    state,
    attempt: input.attempt,
    scheduledAt: scheduledAt.toISOString(),
    dials: [...dials],
    callSessionId: confirmation?.sessionId ?? callSessionId,
    confirmed: confirmation !== undefined,
    reason,
    failedWrites,
  });
  const show = () => setCurrentDetails(`**${state}** · ${scheduledAt.toISOString()}${reason ? ` · ${reason}` : ''}`);

  setHandler(followUpStatusQuery, status);
  setHandler(followUpConfirmedSignal, (c) => {
    if (!confirmation && dials.includes(c.attemptId)) confirmation = c;
  });
  const mustBeScheduled = () => {
    if (state !== 'scheduled') throw new Error(`the follow-up is ${state}, no longer scheduled`);
  };
  setHandler(
    cancelFollowUpUpdate,
    ({ reason: why }) => {
      state = 'cancelled';
      reason = why ? `cancelled: ${why}` : 'cancelled by an operator';
      show();
      return status();
    },
    { validator: (_: { reason?: string }) => mustBeScheduled() },
  );
  setHandler(
    rescheduleFollowUpUpdate,
    ({ at }) => {
      scheduledAt = new Date(at);
      upsertSearchAttributes([{ key: SearchAttributes.followUpAt, value: scheduledAt }]);
      show();
      return status();
    },
    {
      validator: ({ at, force }: { at: string; force?: boolean }) => {
        mustBeScheduled();
        const when = new Date(at);
        if (Number.isNaN(when.getTime())) throw new Error(`"${at}" is not an ISO 8601 time`);
        if (when.getTime() <= Date.now()) throw new Error(`${when.toISOString()} is in the past`);
        if (!force && !insideCallingHours(when, policy.rules)) {
          throw new Error(`${when.toISOString()} is outside calling hours in ${policy.rules.timeZone}; pass force`);
        }
      },
    },
  );

  async function tell(kind: FollowUpEventKind, extra: Partial<FollowUpEvent> = {}) {
    const event: FollowUpEvent = {
      idempotencyKey: `${followUpId}:${kind}${kind === 'follow-up.scheduled' ? `:${scheduledAt.toISOString()}` : ''}`,
      kind,
      followUpId,
      originalSessionId: input.rootSessionId,
      attempt: input.attempt,
      scheduledAt: scheduledAt.toISOString(),
      reason,
      correlation: input.sessionVariables,
      recordedAt: new Date().toISOString(),
      ...extra,
    };
    // A system that stays down past its retry budget is noted; the follow-up itself goes on.
    const results = await Promise.allSettled(
      input.sinks.map((sink) =>
        acts.recordOutcome.executeWithOptions({ ...SINK_OPTIONS, summary: `${kind} → ${sink}` }, [sink, event]),
      ),
    );
    failedWrites += results.filter((r) => r.status === 'rejected').length;
  }

  show();
  await tell('follow-up.scheduled');

  // Wait for the slot; an update may cancel the follow-up or move the slot, which restarts the wait.
  while (state === 'scheduled') {
    const due = scheduledAt.getTime() - Date.now();
    if (due <= 0) break;
    const waitingFor = scheduledAt;
    await condition(() => state !== 'scheduled' || scheduledAt !== waitingFor, due, { summary: 'wait for the slot' });
  }
  if (state === 'cancelled') {
    await tell('follow-up.cancelled');
    return status();
  }

  for (let dial = 1; dial <= policy.maxDials && state !== 'placed'; dial++) {
    state = 'dialling';
    const attemptId = `${followUpId}:dial-${dial}`;
    dials.push(attemptId);
    show();
    try {
      const started = await acts.startFollowUpCall.executeWithOptions({ ...DIAL_OPTIONS, summary: `dial ${dial}` }, [
        {
          phoneNumberId: policy.phoneNumberId ?? '',
          to: input.customerPhoneNumber,
          agentId: policy.agentId ?? input.agentId,
          ttlSeconds: policy.ttlSeconds,
          sessionVariables: {
            ...input.sessionVariables,
            [FollowUpVariables.of]: input.rootSessionId,
            [FollowUpVariables.attempt]: String(input.attempt),
            [FollowUpVariables.attemptId]: attemptId,
          },
        },
      ]);
      callSessionId = started.sessionId;
      state = 'placed';
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const type = failureType(err);
      reason = err.cause?.message ?? err.message;
      if (type === 'CallRejected') {
        state = 'failed';
        break;
      }
      if (type === 'CallNotStarted') {
        const retryAfter = err.cause instanceof ApplicationFailure ? Number(err.cause.details?.[0]) : NaN;
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 2 ** dial * 1000);
        continue;
      }
      // Ambiguous (a timeout after sending, a reset, a 5xx, or a worker lost mid-call): the call may be ringing.
      state = 'awaiting-confirmation';
      show();
      if (await condition(() => confirmation !== undefined, policy.confirmGraceSeconds * 1000)) state = 'placed';
    }
  }

  if (state !== 'placed') {
    state = 'failed';
    reason ??= 'no dial attempt left';
    show();
    await tell('follow-up.failed');
    return status();
  }

  reason = undefined;
  show();
  await tell('follow-up.placed', { callSessionId: confirmation?.sessionId ?? callSessionId });
  await trackCallSession(confirmation?.sessionId ?? callSessionId, input);
  return status();
}

// With Worker Deployment versioning, a follow-up that waits days must not hold its build's workers alive: it moves
// to the current build at its next task, so changes to this workflow still go behind patched() (replay tests).
// Declared only on a versioned worker: the server refuses a versioning behavior from an unversioned one.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'AUTO_UPGRADE' } : {}),
  followUpWorkflow,
);

/**
 * Starts the call's own session workflow, so the session is followed (timers, reconciliation, the next attempt of
 * the chain) even if its webhooks never arrive. When session.created got there first, that workflow already runs.
 */
async function trackCallSession(sessionId: string | undefined, input: FollowUpInput): Promise<void> {
  if (!sessionId) return;
  try {
    await startChild(SESSION_WORKFLOW_TYPE, {
      workflowId: sessionId,
      args: [
        {
          sessionId,
          placedCall: {
            agentId: input.policy.agentId ?? input.agentId,
            ttlSeconds: input.policy.ttlSeconds,
            sessionVariables: {
              ...input.sessionVariables,
              [FollowUpVariables.of]: input.rootSessionId,
              [FollowUpVariables.attempt]: String(input.attempt),
            },
            customerPhoneNumber: input.customerPhoneNumber,
          },
        },
      ],
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SearchAttributes.phase, value: 'awaiting-end' },
        { key: SearchAttributes.sessionType, value: 'VOICE' },
        { key: SearchAttributes.direction, value: 'OUTBOUND' },
        { key: SearchAttributes.agentId, value: input.policy.agentId ?? input.agentId },
        { key: SearchAttributes.followUpOf, value: input.rootSessionId },
        { key: SearchAttributes.followUpAttempt, value: input.attempt },
        ...(input.sessionVariables.crmContactId
          ? [{ key: SearchAttributes.crmContactId, value: input.sessionVariables.crmContactId }]
          : []),
      ],
      staticSummary: `follow-up call ${input.attempt} of ${input.rootSessionId.slice(0, 8)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
