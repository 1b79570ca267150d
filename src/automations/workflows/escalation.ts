import { proxyActivities } from '@temporalio/workflow';
import type { PostCallContext } from '../core';
import type { AutomationActivities } from '../activities';

const { openEscalationTicket } = proxyActivities<AutomationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 20 },
});

export interface EscalationResult {
  ticketId: string;
  priority: 'high' | 'normal';
}

/**
 * The worked example of docs/authoring.md: an unresolved call with negative sentiment goes to a human queue, with
 * high priority when the sentiment score is at or below -0.5. Started by a rule in rules.json, as a child of the
 * session workflow that outlives it.
 */
export async function escalationWorkflow(context: PostCallContext): Promise<EscalationResult> {
  const score = context.analysis?.sentiment?.conversation?.score;
  const priority = score !== undefined && score <= -0.5 ? 'high' : 'normal';
  const { ticketId } = await openEscalationTicket(context, priority);
  return { ticketId, priority };
}
