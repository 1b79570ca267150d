import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';

export interface SessionWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: WorkerOptions['activities'];
  /** Worker Deployment versioning (src/worker/versioning.ts); unversioned when omitted. */
  workerDeploymentOptions?: WorkerOptions['workerDeploymentOptions'];
  /**
   * A pre-built bundle (`npm run build` writes one, tests build one per file), holding its workflow interceptors;
   * otherwise the workflows are bundled at start.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Metrics and tracing (src/observability/worker.ts). */
  interceptors?: WorkerOptions['interceptors'];
  sinks?: WorkerOptions['sinks'];
  /** The service's data converter (src/temporal/dataConverter.ts): payload codecs run outside the workflow bundle. */
  dataConverter?: WorkerOptions['dataConverter'];
  /** Bounds the sticky cache (workflows kept in memory between tasks); the SDK's heap-based default when omitted. */
  maxCachedWorkflows?: number | undefined;
}

/** The worker that hosts the session workflows and their activities. */
export function createSessionWorker(options: SessionWorkerOptions): Promise<Worker> {
  const { workflowBundle, maxCachedWorkflows, interceptors, ...rest } = options;
  // A bundle already holds its workflow interceptor modules; passing them too only makes the SDK warn.
  const { workflowModules, ...others } = interceptors ?? {};
  return Worker.create({
    ...rest,
    interceptors: workflowBundle ? others : { ...others, workflowModules },
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
