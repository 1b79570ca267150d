import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Worker Deployment versioning, when WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID are set (docs/operations.md,
 * "Rolling deploys"; docs/architecture.md, "Changing a workflow"). Sessions are pinned (they declare it, and it is
 * the default): a session finishes on the build that started it, so a change to session code needs no patch. The
 * follow-up workflow, which waits up to 30 days, declares itself auto-upgrade (src/workflows/followUp/workflow.ts)
 * and moves to the current build at its next task: a change to its shape goes behind a patch. Unset, the worker is
 * unversioned.
 */
export function workerDeploymentFrom(
  config: Pick<Config, 'WORKER_DEPLOYMENT_NAME' | 'WORKER_BUILD_ID'>,
): WorkerDeploymentOptions | undefined {
  if (!config.WORKER_DEPLOYMENT_NAME || !config.WORKER_BUILD_ID) return undefined;
  return {
    version: { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: config.WORKER_BUILD_ID },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  };
}
