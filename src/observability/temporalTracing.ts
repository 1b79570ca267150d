import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { activeTracing, type Tracing } from './tracing';

/*
 * Temporal's OpenTelemetry interceptors, wired for this service: the client's carry the trace context into
 * Temporal in each request's headers; the workflow's continue it (src/workflows/observability/tracing.ts) and pass
 * it on to activities, whose spans join it. Workflow spans are made in the sandbox and leave it through a sink.
 */

/** The workflow interceptor module the worker adds to its bundle when tracing is on. */
export const WORKFLOW_TRACING_MODULE = require.resolve('../workflows/observability/tracing');

/** The client's interceptors: none when tracing is off. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  return activeTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

export const tracingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  // Puts trace_id and span_id on the activity's log lines.
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/**
 * The sink that takes workflow spans out of the sandbox to the process's span processor. The SDK's exporter copies
 * whatever workflow info it is given onto every span (search attributes, memo, parent...): it is given the ids only,
 * under the names the activity spans use.
 */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<OpenTelemetrySinks> {
  const sdkExporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const ids = {
            temporalWorkflowId: info.workflowId,
            run_id: info.runId,
            temporalWorkflowType: info.workflowType,
          };
          return sdkExporter.export.fn(ids as unknown as WorkflowInfo, spans);
        },
      },
    },
  };
}
