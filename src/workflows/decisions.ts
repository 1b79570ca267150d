import type { SessionCreatedEvent, SessionEndedEvent } from '../events/schemas';
import type { SessionDetail } from '../activities/agntixClient';
import type { SessionPhase } from '../shared/definitions';
import type { OutcomeEvent, OutcomeKind, TranscriptRef } from '../shared/outcome';
import type { SessionPolicy } from '../shared/policy';
import { correlationOf } from '../shared/sessionView';

/*
 * Pure decisions of the session workflow, kept apart so they have their own tests and so a change to them is a
 * visible, reviewable change (put it behind `patched()` when running workflows would decide differently).
 */

/** How long to wait for session.ended before asking the API: voice ttl + grace, or the chat timeout. */
export function endDeadlineMs(
  first: SessionCreatedEvent | SessionEndedEvent | undefined,
  policy: SessionPolicy,
): number {
  if (first?.type === 'CHAT') return policy.chatTimeoutSeconds * 1000;
  const declared = Number(first?.metadata.sessionVariables.ttl);
  const ttl = Number.isFinite(declared) && declared > 0 ? declared : policy.voiceTtlSeconds;
  return (ttl + policy.endGraceSeconds) * 1000;
}

/** The API says the session is over. EXPIRED counts: it will not send anything more. */
export function isClosed(detail: SessionDetail): boolean {
  return detail.state === 'CLOSED' || detail.state === 'EXPIRED' || Boolean(detail.endedAt && detail.state !== 'OPEN');
}

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
  const value = ended?.analysis?.extractedData?.[policy.callbackField];
  return value === true || value === 'true' || value === 'yes';
}

/** The label operators filter on: the agent's callOutcome when it has one, else the resolution classification. */
export function outcomeLabel(ended: SessionEndedEvent | undefined): string | undefined {
  const callOutcome = ended?.analysis?.extractedData?.callOutcome;
  if (typeof callOutcome === 'string' && callOutcome !== '') return callOutcome;
  return ended?.analysis?.resolution?.classification ?? undefined;
}

export interface OutcomeInput {
  kind: OutcomeKind;
  sessionId: string;
  source: OutcomeEvent['source'];
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;
  transcript?: TranscriptRef;
  phase: SessionPhase;
  policy: SessionPolicy;
  now: Date;
  /** Used when no event carries session variables (a placed call before its webhooks). */
  correlation?: Record<string, string>;
}

/** The normalized outcome every external system records. No phone number: ids and analysis only. */
export function buildOutcome(input: OutcomeInput): OutcomeEvent {
  const event = input.ended ?? input.created;
  const analysis = input.ended?.analysis;
  return {
    idempotencyKey: `${input.sessionId}:${input.kind}`,
    kind: input.kind,
    sessionId: input.sessionId,
    source: input.source,
    agentId: event?.agentId,
    sessionType: event?.type,
    direction: event?.direction,
    startedAt: (input.created ?? input.ended)?.createdAt,
    endedAt: input.ended?.endedAt,
    summary: analysis?.summary,
    intent: analysis?.intent?.conversation?.intent ?? undefined,
    resolution: analysis?.resolution?.classification,
    sentiment: analysis?.sentiment?.conversation?.sentiment,
    outcome: input.kind === 'expired' ? 'EXPIRED' : outcomeLabel(input.ended),
    extractedData: analysis?.extractedData,
    analysis,
    recordingUrl: input.ended?.recordingUrl,
    transcript: input.transcript,
    correlation: event ? correlationOf(event) : (input.correlation ?? {}),
    followUpDue: followUpDue(input.ended, input.policy),
    phase: input.phase,
    recordedAt: input.now.toISOString(),
  };
}

export type FollowUpDecision =
  | { action: 'none' }
  | { action: 'schedule'; root: string; attempt: number }
  | { action: 'end-chain'; root: string; attempt: number; reason: string };

/**
 * What follows a session. A customer who asks for a callback gets the next attempt; so does an unanswered
 * follow-up call (its session expired). A follow-up whose session ended without asking again was satisfied or
 * declined, which ends its chain; so does reaching the attempt limit.
 */
export function decideFollowUp(input: {
  sessionId: string;
  chain?: { root: string; attempt: number };
  callbackRequested: boolean;
  expired: boolean;
  maxAttempts: number;
}): FollowUpDecision {
  const root = input.chain?.root ?? input.sessionId;
  const attempt = input.chain?.attempt ?? 0;
  const wantsAnother = input.callbackRequested || (input.chain !== undefined && input.expired);
  if (!wantsAnother) {
    return input.chain
      ? { action: 'end-chain', root, attempt, reason: 'the callback was satisfied or declined' }
      : { action: 'none' };
  }
  if (attempt + 1 > input.maxAttempts) {
    return { action: 'end-chain', root, attempt, reason: `attempt limit of ${input.maxAttempts} reached` };
  }
  return { action: 'schedule', root, attempt: attempt + 1 };
}

/** The wished day and window, from the agent's own extraction field names. */
export function callbackWishOf(ended: SessionEndedEvent | undefined, fields: { day: string; window: string }) {
  const data = ended?.analysis?.extractedData ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  return { day: text(data[fields.day]), window: text(data[fields.window]) };
}
