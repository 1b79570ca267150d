import type { Worker } from '@temporalio/worker';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { migrateDatabase } from '../store/migrate';
import { connectWorker } from '../temporal/connection';
import { dataConverterFor } from '../temporal/dataConverter';
import { createActivities } from '../activities';
import { createAutomationActivities } from '../automations/activities';
import { startAlertedCountersAtZero } from '../observability/countersAtZero';
import { activeTracing } from '../observability/tracing';
import { observedWorkerOptions } from '../observability/worker';
import { activityDepsFrom } from './deps';
import { createSessionWorker } from './createWorker';
import { startWorkerHealth } from './health';
import { workerDeploymentFrom } from './versioning';
import { prebuiltWorkflowBundle } from './workflowBundle';

export interface RunningWorker {
  /** Stops polling, lets in-flight tasks finish, closes the connection. */
  stop(): Promise<void>;
  /** Settles when the worker stops; rejects if it dies. */
  done: Promise<void>;
}

/** Starts the session worker against the configured Temporal. */
export async function runWorker(
  config: Config,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningWorker> {
  if (config.DATABASE_URL) await migrateDatabase(config.DATABASE_URL, logger);
  const deps = activityDepsFrom(config, logger);
  const connection = await connectWorker(config, env);
  const worker: Worker = await createSessionWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: dataConverterFor(config),
    activities: { ...createActivities(deps), ...createAutomationActivities(config, deps) },
    workerDeploymentOptions: workerDeploymentFrom(config),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowBundle: prebuiltWorkflowBundle(activeTracing() !== undefined),
    ...observedWorkerOptions(deps.policy.sinks),
  });
  const { TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue } = config;
  startAlertedCountersAtZero({ namespace, taskQueue, sinkNames: deps.policy.sinks });
  const health =
    config.WORKER_HEALTH_PORT === undefined
      ? undefined
      : await startWorkerHealth(config.WORKER_HEALTH_PORT, () => worker.getState() === 'RUNNING');
  logger.info({ taskQueue, namespace, healthPort: health?.port }, 'worker polling');
  const done = worker.run().finally(async () => {
    await health?.close();
    await deps.close();
    await connection.close();
  });
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
