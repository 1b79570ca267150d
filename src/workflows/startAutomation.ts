import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { startChild } from '@temporalio/workflow';
import type { PostCallContext, RuleAction } from '../shared/postCall';

type StartWorkflowAction = Extract<RuleAction, { action: 'startWorkflow' }>;

/**
 * Starts an engineer's workflow named by a rule, with the post-call context as its input, as a child that outlives
 * the session (parent close policy ABANDON). Its id, `<workflow>-<session id>`, makes a repeated start find the
 * same run instead of a second one.
 */
export async function startAutomation(action: StartWorkflowAction, context: PostCallContext): Promise<string> {
  const workflowId = `${action.workflow}-${context.sessionId}`;
  try {
    await startChild(action.workflow, {
      workflowId,
      args: [context],
      ...(action.taskQueue ? { taskQueue: action.taskQueue } : {}),
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${action.workflow} for session ${context.sessionId.slice(0, 8)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
