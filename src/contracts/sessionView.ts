import type { SearchAttributePair } from '@temporalio/common';
import type { SessionCreatedEvent, SessionEndedEvent } from './agntixEvents';
import { chainOf } from './followUps';
import { SearchAttributes } from './searchAttributes';
import type { PlacedCall, SessionPhase } from './sessions';

/*
 * What operators see of a session in the Web UI list, and the ids it correlates with. Shared by the API (set at
 * start, so the list explains itself before any worker runs) and the workflows (updated per phase, and set on the
 * sessions a follow-up places). Never a phone number: ids and enums only.
 */

/** What is known of a session: its webhooks so far, or the call a follow-up placed before any webhook. */
export interface SessionFacts {
  created?: SessionCreatedEvent;
  ended?: SessionEndedEvent;
  placedCall?: PlacedCall;
}

/**
 * The correlation ids the platform echoes back from `session_variables`, as strings. Every webhook of a session
 * carries the same variables; the latest event wins, and a placed call's own variables stand in before any.
 */
export function correlationOf({ created, ended, placedCall }: SessionFacts): Record<string, string> {
  const variables = (ended ?? created)?.metadata.sessionVariables ?? placedCall?.sessionVariables ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}

/** The session's search attributes in a given phase. */
export function sessionSearchAttributes(facts: SessionFacts, phase: SessionPhase): SearchAttributePair[] {
  const event = facts.ended ?? facts.created;
  const agentId = event?.agentId ?? facts.placedCall?.agentId;
  // A placed call is an outbound voice call by construction.
  const type = event ? event.type : facts.placedCall && 'VOICE';
  const direction = event ? event.direction : facts.placedCall && 'OUTBOUND';
  const correlation = correlationOf(facts);
  const chain = chainOf(correlation);
  const pairs: SearchAttributePair[] = [{ key: SearchAttributes.phase, value: phase }];
  if (type) pairs.push({ key: SearchAttributes.sessionType, value: type });
  if (direction) pairs.push({ key: SearchAttributes.direction, value: direction });
  if (agentId) pairs.push({ key: SearchAttributes.agentId, value: agentId });
  if (chain) {
    pairs.push({ key: SearchAttributes.followUpOf, value: chain.root });
    pairs.push({ key: SearchAttributes.followUpAttempt, value: chain.attempt });
  }
  if (correlation.crmContactId) pairs.push({ key: SearchAttributes.crmContactId, value: correlation.crmContactId });
  return pairs;
}

/** e.g. "VOICE OUTBOUND call · agent c5ca6f81… · CRM CRM-40215". */
export function sessionSummary(facts: SessionFacts): string {
  const event = facts.ended ?? facts.created;
  const parts = [[event?.type ?? 'SESSION', event?.direction].filter(Boolean).join(' ')];
  if (event?.agentId) parts.push(`agent ${event.agentId.slice(0, 8)}`);
  const { crmContactId, taskId } = correlationOf(facts);
  if (crmContactId) parts.push(`CRM ${crmContactId}`);
  if (taskId) parts.push(`task ${taskId}`);
  return parts.join(' · ');
}
