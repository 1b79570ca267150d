import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { WORKFLOW_TRACING_MODULE } from '../observability/temporalTracing';

/*
 * The workflow bundle, built once by `npm run build` (src/bin/bundleWorkflows.ts) next to the compiled code instead of
 * by webpack inside every worker at start: bundling in-process left the worker ~150 MB larger for its whole life
 * (docs/benchmarks.md, "Where the worker's memory goes"). Two bundles, because the tracing interceptors are compiled
 * into a bundle and are on only when tracing is configured. Under ts-node (development, tests) there is no dist/
 * bundle and the worker bundles src/workflows at start, as before, so a change to a workflow is never run stale.
 */

const bundleFile = (traced: boolean) =>
  path.resolve(__dirname, '..', traced ? 'workflow-bundle.traced.js' : 'workflow-bundle.js');

/** The prebuilt bundle for this build, or undefined when there is none (running from src/). */
export function prebuiltWorkflowBundle(traced: boolean): WorkerOptions['workflowBundle'] {
  const codePath = bundleFile(traced);
  return existsSync(codePath) ? { codePath } : undefined;
}

/** Bundles the workflows (with and without the tracing interceptors) beside the compiled code; returns the files. */
export async function writeWorkflowBundles(
  write: (file: string, code: string) => void,
  logger?: Parameters<typeof bundleWorkflowCode>[0]['logger'],
): Promise<string[]> {
  const files: string[] = [];
  for (const traced of [false, true]) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      workflowInterceptorModules: traced ? [WORKFLOW_TRACING_MODULE] : [],
      ...(logger ? { logger } : {}),
    });
    write(bundleFile(traced), code);
    files.push(bundleFile(traced));
  }
  return files;
}
