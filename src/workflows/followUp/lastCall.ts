import { log } from '@temporalio/workflow';
import { agntixApi, failureMessage, isSkipped } from '../activityProxies';
import type { FollowUpInput } from './workflow';

/**
 * Why the next attempt must not dial, or undefined: the platform shows the last call (a follow-up's, which expired)
 * answered, and its analysis does not ask for a callback again. The call reached the customer; only its webhooks
 * were late. Attempts after the first only (the first follows a session that ended with its analysis). When the API
 * cannot say, the dial goes ahead as it would have: a few quick retries, never the 24-hour budget of a write.
 */
export async function lastCallAnswered(input: FollowUpInput): Promise<string | undefined> {
  const { attempt, previousSessionId, callbackField = 'callbackRequested' } = input;
  if (attempt < 2) return undefined;
  const answer = await agntixApi.askAboutCall
    .executeWithOptions(
      {
        startToCloseTimeout: '1 minute',
        retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
        summary: 'ask the platform about the last call',
      },
      [previousSessionId, callbackField],
    )
    .catch((err: unknown) => ({ skipped: failureMessage(err) }));
  if (isSkipped(answer)) {
    log.warn('the last call could not be checked before the next attempt; dialling', { reason: answer.skipped });
    return undefined;
  }
  if (!answer.answered || answer.callbackRequested) return undefined;
  return `the last call (session ${previousSessionId}) was answered; its webhooks came after its expiry`;
}
