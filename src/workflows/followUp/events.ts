import type { FollowUpEvent, FollowUpEventKind } from '../../contracts';
import type { FollowUpInput } from './workflow';

/** Where a follow-up stands when it tells the external systems something. */
export interface FollowUpNews {
  scheduledAt: string;
  callSessionId?: string;
  reason?: string;
  /** Dials made so far: each uncertain dial is news of its own. */
  dials: number;
}

/**
 * What the external systems are told about a follow-up. The one home of its idempotency key: the scheduling session
 * announces `follow-up.scheduled` and the follow-up tells the rest, so both must build the same event.
 */
export function followUpEvent(
  followUpId: string,
  input: Pick<FollowUpInput, 'rootSessionId' | 'attempt' | 'sessionVariables'>,
  kind: FollowUpEventKind,
  news: FollowUpNews,
): FollowUpEvent {
  // A moved slot and each uncertain dial are news of their own: their keys say which.
  const occurrence =
    kind === 'follow-up.scheduled'
      ? `:${news.scheduledAt}`
      : kind === 'follow-up.needs-operator'
        ? `:${news.dials}`
        : '';
  return {
    idempotencyKey: `${followUpId}:${kind}${occurrence}`,
    kind,
    followUpId,
    originalSessionId: input.rootSessionId,
    attempt: input.attempt,
    scheduledAt: news.scheduledAt,
    callSessionId: news.callSessionId,
    reason: news.reason,
    correlation: input.sessionVariables,
    recordedAt: new Date().toISOString(),
  };
}
