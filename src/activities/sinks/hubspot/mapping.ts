import type { ContactFacts, CrmCall, CrmTask } from '../crm/port';

/*
 * How the CRM-neutral records become HubSpot properties (docs/hubspot.md has the table). Pure: tested without a
 * server.
 */

/** The custom properties `npm run hubspot:setup` creates; the first three are unique, so writes upsert on them. */
export const SESSION_ID_PROPERTY = 'agntix_session_id';
export const FOLLOW_UP_ID_PROPERTY = 'agntix_follow_up_id';
export const PHONE_KEY_PROPERTY = 'agntix_phone_e164';
export const OUTCOME_PROPERTY = 'agntix_outcome';

/** HubSpot's default call outcomes (hs_call_disposition ids are the same in every account). */
export const DEFAULT_DISPOSITIONS: Record<string, string> = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  'left live message': 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  'left voicemail': 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  'no answer': '73a0d17f-1163-4015-bdd5-ec830791da20',
  'wrong number': '17b47fee-58de-441e-a44c-c6300d46f273',
};

const CALL_STATUS = { 'in-progress': 'IN_PROGRESS', completed: 'COMPLETED', 'not-reached': 'NO_ANSWER' } as const;

/**
 * The unique key of a customer's phone number: "+44 7700 900412" and "+447700900412" are one customer. Undefined
 * when too few digits are left to identify anyone.
 */
export function phoneKeyOf(phoneNumber: string): string | undefined {
  const trimmed = phoneNumber.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 20) return undefined;
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Rich-text bodies: one paragraph per block, https links clickable, everything else escaped. */
export function htmlOf(text: string): string {
  return text
    .split('\n\n')
    .map(
      (block) =>
        `<p>${escapeHtml(block)
          .replace(/\n/g, '<br>')
          .replace(/https:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)}</p>`,
    )
    .join('');
}

/** The disposition for an outcome: its own mapping, else `*`; none while the call is in progress. */
export function dispositionOf(call: CrmCall, dispositions: Record<string, string>): string | undefined {
  if (call.state === 'in-progress') return undefined;
  return (call.outcome && dispositions[call.outcome.toLowerCase()]) ?? dispositions['*'];
}

type Properties = Record<string, string>;
const defined = (entries: Record<string, string | undefined>): Properties =>
  Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

/** A call engagement's properties (hs_timestamp places it on the timeline: when the session began). */
export function callProperties(call: CrmCall, dispositions: Record<string, string>, now: Date): Properties {
  return defined({
    [SESSION_ID_PROPERTY]: call.sessionId,
    hs_timestamp: call.startedAt ?? call.endedAt ?? now.toISOString(),
    hs_call_title: call.title,
    hs_call_body: htmlOf(call.body),
    hs_call_direction: call.direction,
    hs_call_status: CALL_STATUS[call.state],
    hs_call_disposition: dispositionOf(call, dispositions),
    hs_call_duration: call.durationMs === undefined ? undefined : String(call.durationMs),
    hs_call_recording_url: call.recordingUrl,
    [OUTCOME_PROPERTY]: call.outcome,
  });
}

/** A callback task's properties; hs_timestamp is its due time, left as it is when the event names none. */
export function taskProperties(task: CrmTask, ownerId: string | undefined): Properties {
  return defined({
    [FOLLOW_UP_ID_PROPERTY]: task.followUpId,
    hs_timestamp: task.dueAt,
    hs_task_subject: task.subject,
    hs_task_body: htmlOf(task.body),
    hs_task_status: task.open ? 'NOT_STARTED' : 'COMPLETED',
    hs_task_priority: task.needsAttention ? 'HIGH' : 'MEDIUM',
    hs_task_type: 'CALL',
    hubspot_owner_id: ownerId,
  });
}

/** The contact properties for the facts the deployment keeps; an empty string clears a HubSpot property. */
export function contactProperties(facts: ContactFacts, fields: Partial<Record<keyof ContactFacts, string>>) {
  const out: Properties = {};
  for (const [fact, value] of Object.entries(facts) as [keyof ContactFacts, string | null | undefined][]) {
    const property = fields[fact];
    if (property && value !== undefined) out[property] = value ?? '';
  }
  return out;
}

/** The facts a contact holds now, read back from its properties. */
export function factsOf(
  properties: Record<string, string | null>,
  fields: Partial<Record<keyof ContactFacts, string>>,
) {
  const facts: ContactFacts = {};
  for (const [fact, property] of Object.entries(fields) as [keyof ContactFacts, string][]) {
    const value = properties[property];
    if (value) facts[fact] = value;
  }
  return facts;
}
