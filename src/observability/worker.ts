import type { WorkerOptions } from '@temporalio/worker';
import { activityMetrics } from './activityMetrics';
import { WORKFLOW_TRACING_MODULE, tracingActivityInterceptors, workflowSpanSinks } from './temporalTracing';
import { activeTracing } from './tracing';

/**
 * What the worker needs for its metrics and, when tracing is installed, its spans: activity interceptors, the
 * workflow interceptor module for its bundle, and the sink that takes workflow spans out of the sandbox.
 */
export function observedWorkerOptions(sinkNames: readonly string[]): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = activeTracing();
  if (!tracing) return { interceptors: { activity: [activityMetrics(sinkNames)] } };
  return {
    interceptors: {
      activity: [tracingActivityInterceptors, activityMetrics(sinkNames)],
      workflowModules: [WORKFLOW_TRACING_MODULE],
    },
    sinks: workflowSpanSinks(tracing),
  };
}
