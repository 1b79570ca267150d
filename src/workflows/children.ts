import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { startChild, type ChildWorkflowOptions } from '@temporalio/workflow';

/**
 * Starts a child workflow that outlives its parent (parent close policy ABANDON) under an id derived from what it
 * is for, so a replayed or repeated decision finds the run already there instead of starting a second one.
 */
export async function startDetachedChild(
  workflowType: string,
  options: ChildWorkflowOptions & { workflowId: string; args: unknown[] },
): Promise<void> {
  try {
    await startChild(workflowType, {
      ...options,
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
