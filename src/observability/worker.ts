import type { WorkerOptions } from '@temporalio/worker';
import { activityMetrics } from './activityMetrics';

/** What the worker needs for its metrics: the activity interceptor that counts. */
export function observedWorkerOptions(sinkNames: readonly string[]): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return { interceptors: { activity: [activityMetrics(sinkNames)] } };
}
