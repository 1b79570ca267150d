import type { Worker } from '@temporalio/worker';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { connectWorker } from '../temporal/connection';
import { dataConverterFor } from '../temporal/dataConverter';
import { createActivities } from '../activities';
import { createAutomationActivities } from '../automations/activities';
import { activityDepsFrom } from './deps';
import { createSessionWorker } from './createWorker';

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
  const deps = activityDepsFrom(config, logger);
  const connection = await connectWorker(config, env);
  const worker: Worker = await createSessionWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: dataConverterFor(config),
    activities: { ...createActivities(deps), ...createAutomationActivities(config, deps) },
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  const done = worker.run().finally(async () => {
    deps.close();
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
