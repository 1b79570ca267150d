import { ActivityFailure, CancellationScope, condition } from '@temporalio/workflow';
import type { SessionEndedEvent, StepFailure } from '../../contracts';
import { askUntilClosed, failureMessage, isSkipped } from '../activityProxies';
import type { SessionPolicy } from '../policy';
import { endedFromDetail } from './decisions';
import { FAILURE, isFailure } from '../../contracts/failures';
import type { SessionLedger } from './ledger';

/*
 * The wait for a session's end: session.ended, or, once it is overdue, the session API's word that the session is
 * over (its webhook was lost). The webhook always wins, even over an answer the API gave in the same moment.
 */

/** How a session ended: its session.ended webhook, or the API's word after the webhook was lost. */
export interface SessionEnd {
  ended: SessionEndedEvent;
  source: 'webhook' | 'reconciled';
}

/** What the wait needs of its session. */
export interface OverdueCheck {
  sessionId: string;
  ledger: SessionLedger;
  policy: SessionPolicy;
  /** Until the end is overdue: the voice ttl + grace, or the chat timeout (decisions.ts). */
  firstWaitMs: number;
  onFailure: (failure: StepFailure) => void;
}

const STEP = 'reconcile with the session API';

/** A reconciliation that found the session open at every check: not a failure, the session just expires. */
const stillOpen = (err: unknown) => isFailure(err, FAILURE.sessionStillOpen);

/**
 * One timer until the end is overdue, then one activity whose retries are the checks (askUntilClosed: one each
 * reconcile interval while the API says open), cancelled when the webhook arrives.
 */
export async function awaitSessionEnd(check: OverdueCheck): Promise<SessionEnd | undefined> {
  const { ledger, policy } = check;
  const ended = () => ledger.ended !== undefined;
  const webhook = (): SessionEnd => ({ ended: ledger.ended!, source: 'webhook' });
  if (await condition(ended, check.firstWaitMs, { summary: 'wait for session.ended' })) return webhook();
  const asking = new CancellationScope();
  const answer = asking
    .run(() => askUntilClosed(check.sessionId, policy.reconcileAttempts + 1, policy.reconcileIntervalSeconds))
    .then(
      (detail) => ({ detail }),
      (err: unknown) => ({ err }),
    );
  const first = await Promise.race([answer, condition(ended).then(() => undefined)]);
  if (ended() || first === undefined) {
    asking.cancel();
    return webhook();
  }
  if ('err' in first) {
    if (stillOpen(first.err)) return undefined; // open at every check: it expires
    check.onFailure({ step: STEP, message: failureMessage(first.err) });
    // A question that failed at every check has used the reconcile window already.
    if (!(first.err instanceof ActivityFailure && first.err.retryState === 'NON_RETRYABLE_FAILURE')) return undefined;
  } else if (isSkipped(first.detail)) {
    check.onFailure({ step: STEP, message: `skipped: ${first.detail.skipped}` });
  } else {
    return { ended: endedFromDetail(first.detail, ledger.created), source: 'reconciled' };
  }
  // Asking again cannot help (no API key, a 404): the webhook keeps the rest of the reconcile window to arrive in
  // (Svix retries it for a day).
  const window = policy.reconcileAttempts * policy.reconcileIntervalSeconds * 1000;
  if (window > 0) await condition(ended, window, { summary: 'wait for session.ended' });
  return ledger.ended ? webhook() : undefined;
}

/**
 * After an expiry, one timer for the platform's retry window (`windowSeconds`; 0: the expiry is final): a
 * session.ended within it is the late end that replaces the expiry.
 */
export async function awaitLateEnd(ledger: SessionLedger, windowSeconds: number): Promise<SessionEnd | undefined> {
  const ended = () => ledger.ended !== undefined;
  if (windowSeconds > 0 && !ended()) {
    await condition(ended, windowSeconds * 1000, { summary: 'wait for a late session.ended' });
  }
  return ledger.ended ? { ended: ledger.ended, source: 'webhook' } : undefined;
}
