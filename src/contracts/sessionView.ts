import type { SearchAttributePair } from '@temporalio/common';
import type { SessionCreatedEvent, SessionEndedEvent } from './agntixEvents';
import { crmContactIdOf } from './crmContact';
import { chainOf } from './followUps';
import { SearchAttributes } from './searchAttributes';
import { DEFAULT_SEARCH_INDEX, indexableCrmId, type CustomerHashes, type SearchIndexPolicy } from './searchIndex';
import type { PlacedCall, SessionPhase } from './sessions';

/*
 * What operators see of a session in the Web UI list, and the ids it correlates with. Shared by the API (set at
 * start, so the list explains itself before any worker runs) and the workflows (updated per phase, and set on the
 * sessions a follow-up places). Never a phone number: ids and enums only, from allow-lists (./searchIndex.ts).
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

/**
 * The longest Keyword value written, in UTF-8 bytes. Temporal refuses a value over 2,048 bytes of its JSON encoding
 * (`limit.searchAttributesSizeOfValue`), and JSON can escape one byte as six (`\u0001`): 256 bytes stay under it
 * whatever they hold. Real ids (a UUID, `CRM-40215`) are far shorter; a longer value is not something an operator
 * types into a filter.
 */
export const MAX_KEYWORD_BYTES = 256;

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** True when a payload-derived value can be written as a Keyword search attribute. */
export const fitsKeyword = (value: string): boolean =>
  value.length <= MAX_KEYWORD_BYTES && utf8Bytes(value) <= MAX_KEYWORD_BYTES;

/** A session's search attributes, and the names of those left out because their value would not fit the index. */
export interface BoundedSearchAttributes {
  pairs: SearchAttributePair[];
  omitted: string[];
}

/**
 * The session's search attributes in a given phase, every Keyword value bounded. A value too large for the index
 * (a 3,000-character crmContactId) is left out, not truncated: a truncated id would never equal the real one in a
 * filter. The event itself is still recorded whole; the caller logs what was omitted.
 */
export function boundedSessionSearchAttributes(
  facts: SessionFacts,
  phase: SessionPhase,
  index: SearchIndexPolicy = DEFAULT_SEARCH_INDEX,
  hashes: CustomerHashes = {},
): BoundedSearchAttributes {
  const event = facts.ended ?? facts.created;
  // A placed call is an outbound voice call by construction.
  const type = event ? event.type : facts.placedCall && 'VOICE';
  const direction = event ? event.direction : facts.placedCall && 'OUTBOUND';
  const correlation = correlationOf(facts);
  const chain = chainOf(correlation);
  const keywords: [typeof SearchAttributes.phase, string | undefined][] = [
    [SearchAttributes.phase, phase],
    [SearchAttributes.sessionType, type],
    [SearchAttributes.direction, direction],
    [SearchAttributes.agentId, event?.agentId ?? facts.placedCall?.agentId],
    [SearchAttributes.followUpOf, chain?.root],
    [SearchAttributes.crmContactId, crmContactIdOf(correlation, index.crmContactVariable)],
    [SearchAttributes.phoneHash, hashes.phone],
    [SearchAttributes.crmContactHash, hashes.crmContact],
  ];
  const pairs: SearchAttributePair[] = [];
  const omitted: string[] = [];
  for (const [key, value] of keywords) {
    if (!value) continue;
    // Free text in an id's place (an e-mail, a name) is left out like an oversized one: only the hash finds it.
    if (key === SearchAttributes.crmContactId && !indexableCrmId(value, index)) omitted.push(key.name);
    else if (fitsKeyword(value)) pairs.push({ key, value });
    else omitted.push(key.name);
  }
  // chainOf bounds the attempt to a small integer, so the Int attribute always fits.
  if (chain) pairs.push({ key: SearchAttributes.followUpAttempt, value: chain.attempt });
  return { pairs, omitted };
}

/** The session's search attributes in a given phase (bounded; see boundedSessionSearchAttributes). */
export function sessionSearchAttributes(
  facts: SessionFacts,
  phase: SessionPhase,
  index?: SearchIndexPolicy,
  hashes?: CustomerHashes,
): SearchAttributePair[] {
  return boundedSessionSearchAttributes(facts, phase, index, hashes).pairs;
}

/** A payload-derived part of the summary, cut to a length the Web UI list can show. */
const clip = (text: string, max = 40) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** e.g. "VOICE OUTBOUND call · agent c5ca6f81… · CRM CRM-40215". Bounded: each payload-derived part is clipped. */
export function sessionSummary(facts: SessionFacts, index: SearchIndexPolicy = DEFAULT_SEARCH_INDEX): string {
  const event = facts.ended ?? facts.created;
  const parts = [[event?.type ?? 'SESSION', event?.direction].filter(Boolean).join(' ')];
  if (event?.agentId) parts.push(`agent ${event.agentId.slice(0, 8)}`);
  const correlation = correlationOf(facts);
  const crmContactId = crmContactIdOf(correlation, index.crmContactVariable);
  const { taskId } = correlation;
  if (crmContactId) parts.push(`CRM ${clip(crmContactId)}`);
  if (taskId) parts.push(`task ${clip(taskId)}`);
  return parts.join(' · ');
}
