import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import type { SessionEvent } from '../events/schemas';
import type { SessionPhase } from './definitions';
import { chainOf } from './followUp';
import { SearchAttributes } from './searchAttributes';

/*
 * What operators see of a session in the Web UI list: search attributes and a one-line summary. Shared by the API
 * (set at start, so the list explains itself before any worker runs) and the workflow (updated per phase).
 * Never a phone number: ids and enums only.
 */

/** Correlation ids the platform echoes back from `session_variables`, as strings. */
export function correlationOf(event: Pick<SessionEvent, 'metadata'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.metadata.sessionVariables)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}

export function phaseAfter(event: SessionEvent): SessionPhase {
  return event.eventType === 'session.ended' ? 'post-call' : 'awaiting-end';
}

export function initialSearchAttributes(event: SessionEvent): TypedSearchAttributes {
  const pairs: SearchAttributePair[] = [{ key: SearchAttributes.phase, value: phaseAfter(event) }];
  if (event.agentId) pairs.push({ key: SearchAttributes.agentId, value: event.agentId });
  if (event.type) pairs.push({ key: SearchAttributes.sessionType, value: event.type });
  if (event.direction) pairs.push({ key: SearchAttributes.direction, value: event.direction });
  const crmContactId = correlationOf(event).crmContactId;
  if (crmContactId) pairs.push({ key: SearchAttributes.crmContactId, value: crmContactId });
  const chain = chainOf(event.metadata.sessionVariables);
  if (chain) {
    pairs.push({ key: SearchAttributes.followUpOf, value: chain.root });
    pairs.push({ key: SearchAttributes.followUpAttempt, value: chain.attempt });
  }
  return new TypedSearchAttributes(pairs);
}

/** e.g. "VOICE OUTBOUND call · agent c5ca6f81… · CRM CRM-40215". */
export function sessionSummary(event: SessionEvent): string {
  const parts = [[event.type ?? 'SESSION', event.direction].filter(Boolean).join(' ')];
  if (event.agentId) parts.push(`agent ${event.agentId.slice(0, 8)}`);
  const { crmContactId, taskId } = correlationOf(event);
  if (crmContactId) parts.push(`CRM ${crmContactId}`);
  if (taskId) parts.push(`task ${taskId}`);
  return parts.join(' · ');
}
