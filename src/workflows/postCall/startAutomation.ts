import type { RuleAction } from '../../automations/ruleSchema';
import { startDetachedChild } from '../children';
import type { PostCallContext } from './rules';

type StartWorkflowAction = Extract<RuleAction, { action: 'startWorkflow' }>;

/**
 * Starts an engineer's workflow named by a rule, with the post-call context as its input, as a child that outlives
 * the session. Its id, `<workflow>-<session id>`, makes a repeated start find the same run instead of a second one.
 */
export async function startAutomation(action: StartWorkflowAction, context: PostCallContext): Promise<string> {
  const workflowId = `${action.workflow}-${context.sessionId}`;
  await startDetachedChild(action.workflow, {
    workflowId,
    args: [context],
    ...(action.taskQueue ? { taskQueue: action.taskQueue } : {}),
    staticSummary: `${action.workflow} for session ${context.sessionId.slice(0, 8)}`,
  });
  return workflowId;
}
