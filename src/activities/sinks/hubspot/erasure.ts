import type { Client } from '@hubspot/api-client';
import { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAILURE } from '../../../contracts/failures';
import type { HubSpotSettings } from '../../../config/hubspot';
import { followUpWorkflowId, MAX_CHAIN_ATTEMPT } from '../../../contracts';
import type { ErasureSubject, RemoteErasure, RemoteErasureReport } from '../types';
import { isNotFound } from './batch';
import { createHubSpotClient } from './client';
import { hubspotRequest as activityRequest, type HubSpotOperation } from './failures';
import { FOLLOW_UP_ID_PROPERTY, PHONE_KEY_PROPERTY, SESSION_ID_PROPERTY } from './mapping';

const READ: HubSpotOperation = { what: 'read records to erase', scopes: ['crm.objects.contacts.read'] };
const DELETE: HubSpotOperation = { what: 'delete calls and tasks', scopes: ['crm.objects.contacts.write'] };
const CLEAR: HubSpotOperation = { what: 'clear contact properties', scopes: ['crm.objects.contacts.write'] };
const RECORD_ID = 'hs_object_id';
/** HubSpot's batch read takes at most 100 inputs. */
const BATCH = 100;

type Engagement = 'calls' | 'tasks';
const KEY: Record<Engagement, string> = { calls: SESSION_ID_PROPERTY, tasks: FOLLOW_UP_ID_PROPERTY };
const NOUN: Record<Engagement, string> = { calls: 'call', tasks: 'task' };
const KEY_NOUN: Record<Engagement, string> = { calls: 'session', tasks: 'follow-up' };

/**
 * One request of the command, HubSpot's pacing (a 429) waited out as it asks, up to a minute at a time and five
 * times in all: an operator command has no Temporal retry behind it, and erasing a contact's many sessions is a
 * burst of requests.
 */
async function hubspotRequest<T>(operation: HubSpotOperation, request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await activityRequest(operation, request);
    } catch (err) {
      const paced = err instanceof ApplicationFailure && err.type === FAILURE.hubspotRateLimited;
      const delay = paced ? err.nextRetryDelay : undefined;
      if (typeof delay !== 'number' || delay > 60_000 || attempt >= 5) throw err;
      await sleep(delay);
    }
  }
}

const chunks = <T>(items: T[]) =>
  Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

/**
 * Erasure in HubSpot, through its own endpoints: the call engagements (keyed by session id) and callback tasks (keyed
 * by follow-up id) this service wrote are deleted; the contact is the portal's record, so it is anonymised instead:
 * the properties this service sets on it (the facts and the phone key) are cleared. Deleting the contact itself (a
 * GDPR delete) would take away what other teams keep on it (deals, emails, consent): that stays the portal owner's
 * decision, named in the report with the contact's id.
 */
export function hubspotErasure(settings: HubSpotSettings): RemoteErasure {
  const client = createHubSpotClient(settings);
  const ownProperties = [...Object.values(settings.contactProperties), PHONE_KEY_PROPERTY];

  return {
    name: 'hubspot',
    async forget(subject: ErasureSubject, sessionIds: string[]): Promise<RemoteErasureReport> {
      // Follow-up ids derive from their chain's first session; the attempts past the last one are not found.
      const followUpIds = sessionIds.flatMap((id) =>
        Array.from({ length: MAX_CHAIN_ATTEMPT }, (_, i) => followUpWorkflowId(id, i + 1)),
      );
      const contact = 'crmContactId' in subject ? await contactById(client, settings, subject.crmContactId) : undefined;
      const found = {
        calls: await engagements(client, 'calls', sessionIds, contact),
        tasks: await engagements(client, 'tasks', followUpIds, contact),
      };
      const contacts = new Set(contact ? [contact] : []);
      const removed: string[] = [];
      for (const type of ['calls', 'tasks'] as const) {
        for (const { id, key } of found[type].values()) {
          for (const c of await associatedContacts(client, type, id)) contacts.add(c);
          await hubspotRequest(DELETE, () => client.crm.objects[type].basicApi.archive(id));
          removed.push(`${NOUN[type]} ${id} (${KEY_NOUN[type]} ${key}) deleted`);
        }
      }
      const left: string[] = [];
      for (const id of contacts) {
        const cleared = await clearOwnProperties(client, id, ownProperties);
        if (cleared === undefined) continue;
        if (cleared.length > 0) removed.push(`contact ${id}: ${cleared.join(', ')} cleared`);
        left.push(
          `contact ${id} is kept, with its property history: deleting it (a GDPR delete in HubSpot) is the ` +
            "portal owner's decision",
        );
      }
      if (found.calls.size + found.tasks.size > 0) {
        left.push("the deleted calls and tasks stay restorable in HubSpot's recycling bin for 90 days");
      }
      return { removed, left };
    },
  };
}

/** The contact a CRM id names (as the sink finds it), or undefined. */
async function contactById(client: Client, settings: HubSpotSettings, crmContactId: string) {
  const byRecordId = settings.contactIdProperty === RECORD_ID;
  if (byRecordId && !/^\d+$/.test(crmContactId)) return undefined;
  const found = await hubspotRequest(READ, () =>
    client.crm.contacts.basicApi
      .getById(
        crmContactId,
        [RECORD_ID],
        undefined,
        undefined,
        false,
        byRecordId ? undefined : settings.contactIdProperty,
      )
      .catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
  );
  return found?.id;
}

/**
 * The engagements of one type this service wrote, by record id with their key: those whose key is in `keys`, and
 * those of the contact that carry a key of this service (sessions whose histories are gone are found that way).
 */
async function engagements(client: Client, type: Engagement, keys: string[], contact: string | undefined) {
  const found = new Map<string, { id: string; key: string }>();
  const read = async (ids: string[], idProperty?: string) => {
    for (const chunk of chunks(ids)) {
      const answer = await hubspotRequest(READ, () =>
        client.crm.objects[type].batchApi.read({
          idProperty,
          inputs: chunk.map((id) => ({ id })),
          properties: [KEY[type]],
          propertiesWithHistory: [],
        }),
      );
      for (const r of answer.results) {
        const key = r.properties[KEY[type]];
        if (key) found.set(r.id, { id: r.id, key });
      }
    }
  };
  await read(keys, KEY[type]);
  if (contact) await read(await associated(client, 'contacts', contact, type));
  return found;
}

const associatedContacts = (client: Client, type: Engagement, id: string) => associated(client, type, id, 'contacts');

async function associated(client: Client, from: string, id: string, to: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await hubspotRequest(READ, () =>
      client.crm.associations.v4.basicApi.getPage(from, id, to, after, 500),
    );
    ids.push(...page.results.map((r) => String(r.toObjectId)));
    after = page.paging?.next?.after;
  } while (after);
  return ids;
}

/** Clears the properties this service sets that hold a value; the names cleared, or undefined when it is gone. */
async function clearOwnProperties(client: Client, id: string, properties: string[]): Promise<string[] | undefined> {
  const contact = await hubspotRequest(READ, () =>
    client.crm.contacts.basicApi.getById(id, properties).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
  );
  if (!contact) return undefined;
  const set = properties.filter((p) => contact.properties[p]);
  if (set.length === 0) return [];
  await hubspotRequest(CLEAR, () =>
    client.crm.contacts.basicApi.update(id, { properties: Object.fromEntries(set.map((p) => [p, ''])) }),
  );
  return set;
}
