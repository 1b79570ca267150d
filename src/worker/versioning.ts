import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Worker Deployment versioning, when WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID are set (docs/operations.md,
 * "Rolling deploys"). Workflows are pinned by default: a session finishes on the build that started it, so a change
 * to session code needs no patched(). The follow-up workflow, which sleeps for days, declares itself auto-upgrade
 * (src/workflows/followUp.ts) and moves to the current build at its next task: changes to it still go behind
 * patched(). Unset, the worker is unversioned, as before.
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
