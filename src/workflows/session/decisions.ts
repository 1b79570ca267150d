import type { SessionDetail } from '../../activities/agntix/client';
import type { SessionCreatedEvent, SessionEndedEvent } from '../../contracts';
import { asksForCallback } from '../../contracts/sessionState';
import { DEFAULT_MAX_TTL_SECONDS, type SessionPolicy } from '../policy';

/*
 * Pure decisions of the session workflow, kept apart so they have their own tests and so a change to them is a
 * visible, reviewable change (sessions are pinned to their build: docs/architecture.md, "Changing a workflow").
 */

/** How long to wait for session.ended before asking the API: voice ttl (at most the policy's bound) + grace, or the chat timeout. */
export function endDeadlineMs(
  first: SessionCreatedEvent | SessionEndedEvent | undefined,
  policy: SessionPolicy,
): number {
  if (first?.type === 'CHAT') return policy.chatTimeoutSeconds * 1000;
  const declared = Number(first?.metadata.sessionVariables.ttl);
  const maxTtl = policy.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  const ttl = Number.isFinite(declared) && declared > 0 ? Math.min(declared, maxTtl) : policy.voiceTtlSeconds;
  return (ttl + policy.endGraceSeconds) * 1000;
}

export { isClosed } from '../../contracts/sessionState';

/** A session.ended rebuilt from the API's session detail, for when the webhook was lost or dead-lettered. */
export function endedFromDetail(detail: SessionDetail, created: SessionCreatedEvent | undefined): SessionEndedEvent {
  const { state, endedAt, metadata, analysis, recordingUrl, ...rest } = detail;
  return {
    ...created,
    ...rest,
    eventType: 'session.ended',
    state: state ?? 'CLOSED',
    endedAt: endedAt ?? undefined,
    metadata: metadata ??
      created?.metadata ?? { customerPhoneNumber: undefined, roomName: undefined, sessionVariables: {} },
    analysis,
    recordingUrl: recordingUrl ?? undefined,
  } as SessionEndedEvent;
}

/** True when the customer asked to be called back. */
export function followUpDue(ended: SessionEndedEvent | undefined, policy: SessionPolicy): boolean {
  return asksForCallback(ended?.analysis?.extractedData?.[policy.callbackField]);
}

/** The label operators filter on: the agent's callOutcome when it has one, else the resolution classification. */
export function outcomeLabel(ended: SessionEndedEvent | undefined): string | undefined {
  const callOutcome = ended?.analysis?.extractedData?.callOutcome;
  if (typeof callOutcome === 'string' && callOutcome !== '') return callOutcome;
  return ended?.analysis?.resolution?.classification ?? undefined;
}
