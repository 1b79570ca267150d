import type { Client } from '@hubspot/api-client';
import type { ContactFact } from '../../activities/sinks/crm/port';
import { FOLLOW_UP_ID_PROPERTY, SESSION_ID_PROPERTY } from '../../activities/sinks/hubspot/mapping';

const notFound = (err: unknown) => {
  if ((err as { code?: unknown } | null)?.code === 404) return undefined;
  throw err;
};
const maskPhone = (phone: string | null | undefined) => (phone ? `${phone.slice(0, 3)}•••${phone.slice(-3)}` : '—');
const shown = (value: string | null | undefined) => value || '—';

/**
 * What a HubSpot user would find after the demo, read back through the official client: each session's call, its
 * contact, and each follow-up's callback task. The phone number is masked, as everywhere this service prints.
 */
export async function hubspotRecords(
  client: Client,
  sessionIds: string[],
  followUpIds: string[],
  facts: Partial<Record<ContactFact, string>>,
): Promise<string[]> {
  const lines: string[] = [];
  const contactIds = new Set<string>();
  for (const sessionId of sessionIds) {
    const call = await client.crm.objects.calls.basicApi
      .getById(
        sessionId,
        ['hs_call_title', 'hs_call_status', 'hs_call_duration'],
        undefined,
        undefined,
        false,
        SESSION_ID_PROPERTY,
      )
      .catch(notFound);
    if (!call) {
      lines.push(`  call       none for session ${sessionId}`);
      continue;
    }
    const p = call.properties;
    const seconds = p.hs_call_duration ? ` · ${(Number(p.hs_call_duration) / 1000).toFixed(1)} s` : '';
    lines.push(
      `  call ${call.id.padEnd(6)} ${shown(p.hs_call_title)} · ${shown(p.hs_call_status)}${seconds} · session ${sessionId}`,
    );
    const associated = await client.crm.associations.v4.basicApi.getPage('calls', call.id, 'contacts');
    for (const a of associated.results) contactIds.add(String(a.toObjectId));
  }
  for (const followUpId of followUpIds) {
    const task = await client.crm.objects.tasks.basicApi
      .getById(
        followUpId,
        ['hs_task_subject', 'hs_task_status', 'hs_timestamp'],
        undefined,
        undefined,
        false,
        FOLLOW_UP_ID_PROPERTY,
      )
      .catch(notFound);
    const p = task?.properties;
    lines.push(
      task && p
        ? `  task ${task.id.padEnd(6)} ${shown(p.hs_task_subject)} · ${shown(p.hs_task_status)} · due ${shown(p.hs_timestamp)} · ${followUpId}`
        : `  task       none for ${followUpId}`,
    );
  }
  for (const id of contactIds) {
    const contact = await client.crm.contacts.basicApi.getById(id, ['phone', ...Object.values(facts)]);
    const fact = (name: ContactFact) => shown(facts[name] ? contact.properties[facts[name]] : undefined);
    lines.unshift(
      `  contact ${id.padEnd(3)} phone ${maskPhone(contact.properties.phone)} · last call ${fact('lastCallOutcome')} at ${fact('lastCallAt')} · callback due ${fact('callbackDueAt')}`,
    );
  }
  return lines;
}
