// eslint-disable-next-line no-restricted-imports -- OpenTelemetry's API package, not src/api; it is sandbox-safe
import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  SignalInput,
  SignalWorkflowInput,
  StartChildWorkflowExecutionInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { agntixEventSignal, type AgntixEventSignal } from '../../contracts';

/*
 * The workflow interceptors the worker bundles when tracing is on (src/observability/worker.ts): Temporal's
 * OpenTelemetry ones, plus one rule of this service. Each webhook delivery is one trace, rooted at the API's span.
 * A session's workflow run belongs to the delivery that started it; once the session.ended delivery's signal is
 * handled, everything the session does next (transcript, outcome writes, follow-up) continues that delivery's trace,
 * so an operator following an ended call's delivery sees its post-call work. Spans are not commands: replay-safe.
 */

/** The span context of the handled session.ended delivery; one per workflow execution. */
class EndedDelivery {
  context?: otel.Context;
}

const endsTheSession = (input: SignalInput) =>
  input.signalName === agntixEventSignal.name &&
  (input.args[0] as AgntixEventSignal | undefined)?.event?.eventType === 'session.ended';

/** Inside the OpenTelemetry signal span: keeps the first session.ended delivery's context (redeliveries count once). */
class CaptureEndedDelivery implements WorkflowInboundCallsInterceptor {
  constructor(private readonly ended: EndedDelivery) {}

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (!this.ended.context && endsTheSession(input)) this.ended.context = otel.context.active();
    return next(input);
  }
}

/** Around the OpenTelemetry outbound interceptor: what the workflow starts after the end joins that delivery. */
class ContinueEndedDelivery implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly ended: EndedDelivery) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return this.within(() => next(input));
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return this.within(() => next(input));
  }

  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ) {
    return this.within(() => next(input));
  }

  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>) {
    return this.within(() => next(input));
  }

  private within<T>(call: () => T): T {
    return this.ended.context ? otel.context.with(this.ended.context, call) : call();
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const ended = new EndedDelivery();
  // Inbound: the first is outermost, so ours runs inside the signal's span. Outbound: ours wraps theirs.
  return {
    inbound: [new OpenTelemetryInboundInterceptor(), new CaptureEndedDelivery(ended)],
    outbound: [new ContinueEndedDelivery(ended), new OpenTelemetryOutboundInterceptor()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
