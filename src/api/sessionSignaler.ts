import { isGrpcServiceError, type Client } from '@temporalio/client';
import {
  TypedSearchAttributes,
  encodeWorkflowIdConflictPolicy,
  encodeWorkflowIdReusePolicy,
  type Payload,
} from '@temporalio/common';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { temporal } from '@temporalio/proto';
import type { CustomerHasher } from '../temporal/customerHashes';
import { signalWithStartThroughInterceptors } from '../temporal/interceptedSignalWithStart';
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  SESSION_WORKFLOW_TYPE,
  agntixEventSignal,
  boundedSessionSearchAttributes,
  correlationOf,
  crmContactIdOf,
  sessionSummary,
  type SearchIndexPolicy,
  type AgntixEventSignal,
  type SessionFacts,
  type SessionResult,
  type SessionWorkflowInput,
} from '../contracts';
import { UnconvertibleEvent } from './recordingFailures';
import { deliveryRequestId } from './requestId';

/** What Temporal did with a delivery. Every value means the event is durably recorded or was already. */
export type SignalOutcome = 'started' | 'signaled' | 'duplicate';

export interface Recorded {
  outcome: SignalOutcome;
  /** Search attributes left out because their value would not fit Temporal's index; the event is recorded whole. */
  searchAttributesOmitted: string[];
}

export interface SessionSignaler {
  /**
   * Records the event in the session's workflow, creating it if needed. Rejects when the deadline passes, with a
   * gRPC error from Temporal, or with UnconvertibleEvent (see recordingFailures.ts for what each means).
   */
  deliver(signal: AgntixEventSignal, deadline: Date): Promise<Recorded>;
  /** Resolves when Temporal answers before the deadline (readiness). */
  ping(deadline: Date): Promise<void>;
  /**
   * Settles once no Temporal call is in flight. Close the connection only after it: the SDK retries a call on a
   * timer, and a retry firing on a closed channel throws outside any caller.
   */
  drain(): Promise<void>;
}

/*
 * Id policies, and why:
 * - Conflict USE_EXISTING: while the session's workflow runs, every event for it is a signal to that run, whichever
 *   arrived first. Never TERMINATE_EXISTING: a late duplicate must not restart a session in progress.
 * - Reuse REJECT_DUPLICATE: once the workflow has closed, its outcome is recorded; a redelivery (Svix retries for a
 *   day) must not start a second run that would redo the post-call work. Temporal answers ALREADY_EXISTS, which we
 *   report as `duplicate`. This holds for as long as the namespace retains the closed run (see namespace.ts); past
 *   it, the new run finds the outcome in the store and records nothing again.
 * - The one exception: a session.ended after the session expired (and its late-end window closed) is a late end, not
 *   a repeat. It starts a run that follows the expiry (ALLOW_DUPLICATE, `followsExpiry`), whose completed outcome
 *   supersedes the expired one everywhere (expiryOf).
 * - Redeliveries of one Svix message carry one request id (requestId.ts), which Temporal dedupes: they add nothing to
 *   the running session's history. Another message with the same event (a resend under a new id) is a signal like
 *   any other; the workflow counts only the first event of each type (workflows/session/ledger.ts).
 *
 * The SDK's `signalWithStart` returns only a run id; the raw call also says whether it started the workflow, which
 * the webhook response reports. The payloads go through the client's data converter and codecs as the SDK would.
 */
export function createSessionSignaler(
  client: Client,
  taskQueue: string,
  index: { policy?: SearchIndexPolicy; hasher?: CustomerHasher } = {},
): SessionSignaler {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;

  async function encode(value: unknown): Promise<Payload[]> {
    let payloads: Payload[];
    try {
      payloads = [payloadConverter.toPayload(value)];
    } catch (err) {
      // The bounds checked before parsing should make this unreachable; if not, it is this event's fault, not Temporal's.
      throw new UnconvertibleEvent(`the event cannot be converted to a Temporal payload: ${(err as Error).message}`);
    }
    for (const codec of payloadCodecs) payloads = await codec.encode(payloads);
    return payloads;
  }

  const inFlight = new Set<Promise<unknown>>();
  function track<T>(call: Promise<T>): Promise<T> {
    inFlight.add(call);
    const forget = () => inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  return {
    deliver: (signal, deadline) => track(deliver(signal, deadline)),
    ping: async (deadline) => {
      await track(client.withDeadline(deadline, () => client.workflowService.getSystemInfo({})));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };

  async function deliver(signal: AgntixEventSignal, deadline: Date): Promise<Recorded> {
    const { event } = signal;
    const input: SessionWorkflowInput = { sessionId: event.id };
    const facts: SessionFacts = event.eventType === 'session.created' ? { created: event } : { ended: event };
    const phase = event.eventType === 'session.ended' ? 'post-call' : 'awaiting-end';
    // Set at the start, in the same request: no upsert (a billed action) is paid for them.
    const hashes = index.hasher?.hashesOf({
      phone: event.metadata.customerPhoneNumber ?? undefined,
      crmContactId: crmContactIdOf(correlationOf(facts), index.policy?.crmContactVariable),
    });
    const { pairs, omitted } = boundedSessionSearchAttributes(facts, phase, index.policy, hashes);
    const searchAttributes = new TypedSearchAttributes(pairs);
    const request: temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest = {
      namespace: client.options.namespace,
      identity: client.options.identity,
      requestId: deliveryRequestId(signal.svixId, event.eventType, event.id),
      workflowId: event.id,
      workflowIdReusePolicy: encodeWorkflowIdReusePolicy('REJECT_DUPLICATE'),
      workflowIdConflictPolicy: encodeWorkflowIdConflictPolicy('USE_EXISTING'),
      workflowType: { name: SESSION_WORKFLOW_TYPE },
      taskQueue: { kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL, name: taskQueue },
      input: { payloads: await encode(input) },
      signalName: agntixEventSignal.name,
      signalInput: { payloads: await encode(signal) },
      searchAttributes: { indexedFields: encodeUnifiedSearchAttributes(undefined, searchAttributes) },
      userMetadata: { summary: (await encode(sessionSummary(facts, index.policy)))[0] },
    };
    const send = async (startInput: SessionWorkflowInput, reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE') => {
      // Through the client's interceptors, so the request carries the trace context (and any other header) too.
      const call = { workflowType: SESSION_WORKFLOW_TYPE, workflowId: event.id, taskQueue, args: [startInput] };
      const signalled = { ...call, signalName: agntixEventSignal.name, signalArgs: [signal] };
      const payloads = startInput === input ? request.input : { payloads: await encode(startInput) };
      const response = await signalWithStartThroughInterceptors(client, signalled, (headers) =>
        client.withDeadline(deadline, () =>
          client.workflowService.signalWithStartWorkflowExecution({
            ...request,
            input: payloads,
            workflowIdReusePolicy: encodeWorkflowIdReusePolicy(reuse),
            header: { fields: headers },
          }),
        ),
      );
      return response.started ? 'started' : 'signaled';
    };
    let outcome: SignalOutcome;
    try {
      outcome = await send(input, 'REJECT_DUPLICATE');
    } catch (err) {
      if (!(isGrpcServiceError(err) && err.code === grpcStatus.ALREADY_EXISTS)) throw err;
      // The session's run has closed. A session.ended after an expiry (its late-end window over) is news: a run
      // that follows the expiry records it. Anything else is a repeat of what the closed run recorded.
      const expiry = event.eventType === 'session.ended' ? await expiryOf(client, event.id, deadline) : undefined;
      outcome = expiry ? await send({ ...input, followsExpiry: expiry }, 'ALLOW_DUPLICATE') : 'duplicate';
    }
    return { outcome, searchAttributesOmitted: omitted };
  }
}

/**
 * How the session's last closed run ended, when it expired and took no late end: the ingest's reading of "this
 * session.ended follows an expiry". The run's result says it (outcome EXPIRED, no analysis from anywhere), and with
 * it the follow-up the expiry scheduled; a run that completed, failed or was terminated answers undefined, and the
 * delivery is a duplicate. Read only for a session.ended that finds the run closed, so it costs ordinary traffic
 * nothing. A run the namespace no longer retains is never found here: the delivery then starts a new run, which
 * learns from the store whether the outcome was recorded (loadSessionSettings).
 */
async function expiryOf(
  client: Client,
  sessionId: string,
  deadline: Date,
): Promise<SessionWorkflowInput['followsExpiry'] | undefined> {
  type Session = (input: SessionWorkflowInput) => Promise<SessionResult>;
  // A failure to read is not a duplicate: it rejects, and the delivery is answered 503 so Svix retries it.
  const result = await client.withDeadline(deadline, async () => {
    // The run that refused the start, pinned: a run another delivery started meanwhile is running, and asking for
    // its result would wait for it. Only a run that completed has a result to read.
    const { runId, status } = await client.workflow.getHandle(sessionId).describe();
    if (status.name !== 'COMPLETED') return undefined;
    return client.workflow.getHandle<Session>(sessionId, runId, { followRuns: false }).result();
  });
  if (result?.outcome !== 'EXPIRED' || result.source !== 'none') return undefined;
  return result.followUp ? { followUp: result.followUp } : {};
}
