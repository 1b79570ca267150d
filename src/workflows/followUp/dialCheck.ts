import { condition } from '@temporalio/workflow';
import type { DialVerdict } from '../../activities';
import { agntixApi, failureMessage } from '../activityProxies';

/*
 * What settles a dial whose calls/start failed ambiguously, once the first grace passed without the call's webhook:
 * the Agntix API's sessions list (src/activities/agntix/dialReconciliation.ts), and the webhook while it may still
 * come (Svix retries after 5 s, 5 min, 30 min). Nothing here dials: the follow-up acts on the answer.
 */

export type Settlement =
  | { placedBy: 'webhook' }
  | { placedBy: 'api'; sessionId: string }
  /** No call started: dialling again calls the customer once. */
  | { absent: string }
  /** Still unknown at the end of the grace: an operator must decide. */
  | { unsettled: string };

/**
 * Asks the API at once, and again at `deadline` (the operator grace, counted from the dial) unless the webhook
 * confirms the dial in between. A call found or proven absent settles it; otherwise it stays unsettled.
 */
export async function settleUncertainDial(
  lookup: { agentId: string; attemptId: string; dialledAt: Date },
  deadline: number,
  confirmed: () => boolean,
): Promise<Settlement> {
  for (;;) {
    const verdict = await askWhetherPlaced(lookup);
    if (confirmed()) return { placedBy: 'webhook' };
    if ('found' in verdict) return { placedBy: 'api', sessionId: verdict.found };
    if ('absent' in verdict) {
      return { absent: `no call started: the Agntix API lists none of ${verdict.scanned} sessions since the dial` };
    }
    const left = deadline - Date.now();
    if (left <= 0) return { unsettled: verdict.unsettled };
    if (await condition(confirmed, left, { summary: 'wait for the call webhook' })) return { placedBy: 'webhook' };
  }
}

/** The API's word on a dial; no API key, or a request that failed past its retries, is an unsettled answer. */
async function askWhetherPlaced(lookup: { agentId: string; attemptId: string; dialledAt: Date }): Promise<DialVerdict> {
  try {
    const verdict = await agntixApi.findDialledSession({ ...lookup, dialledAt: lookup.dialledAt.toISOString() });
    return 'skipped' in verdict ? { unsettled: `the Agntix API was not asked (${verdict.skipped})` } : verdict;
  } catch (err) {
    return { unsettled: `the Agntix API could not be asked (${failureMessage(err)})` };
  }
}
