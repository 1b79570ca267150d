import type { RuleAction } from '../../automations/ruleSchema';
import { FOLLOW_UP_WORKFLOW_TYPE, SESSION_WORKFLOW_TYPE } from '../../contracts';
import { startDetachedChild } from '../children';
import type { PostCallContext } from './rules';

type StartWorkflowAction = Extract<RuleAction, { action: 'startWorkflow' }>;

/**
 * Starts an engineer's workflow named by a rule, with the post-call context as its input, as a child that outlives
 * the session. Its id, `<workflow>-<session id>`, makes a repeated start find the same run instead of a second one.
 */
export async function startAutomation(action: StartWorkflowAction, context: PostCallContext): Promise<string> {
  // The rules file is checked at start-up; checked again here because a workflow must never start the core's own.
  if (action.workflow === SESSION_WORKFLOW_TYPE || action.workflow === FOLLOW_UP_WORKFLOW_TYPE) {
    throw new Error(`rules may not start the core's ${action.workflow}`);
  }
  const workflowId = `${action.workflow}-${context.sessionId}`;
  await startDetachedChild(action.workflow, {
    workflowId,
    args: [context],
    ...(action.taskQueue ? { taskQueue: action.taskQueue } : {}),
    staticSummary: `${action.workflow} for session ${context.sessionId.slice(0, 8)}`,
  });
  return workflowId;
}
