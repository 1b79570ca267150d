import type { ObjectType, PropertyDefinition } from './fakeHubspotStore';

/*
 * What the local HubSpot stand-in knows before anyone writes: the HubSpot-defined properties the sink reads or
 * writes (a small subset of each object's real list, with HubSpot's names, types and enum options) and the ids of
 * the default associations.
 */

const definition = (
  name: string,
  type = 'string',
  options: string[] = [],
  hasUniqueValue = false,
): PropertyDefinition => ({
  name,
  label: name,
  type,
  fieldType: options.length > 0 ? 'select' : type === 'datetime' ? 'date' : type === 'number' ? 'number' : 'text',
  groupName: 'hubspot_defined',
  description: '',
  hasUniqueValue,
  hubspotDefined: true,
  options: options.map((value, i) => ({ label: value, value, displayOrder: i, hidden: false })),
});

/** The HubSpot-defined properties the sink reads or writes (a small subset of each object's real list). */
export function defaultProperties(): Record<ObjectType, Map<string, PropertyDefinition>> {
  const common = [definition('hs_object_id', 'number', [], true), definition('hubspot_owner_id')];
  const map = (defs: PropertyDefinition[]) => new Map([...common, ...defs].map((d) => [d.name, d]));
  return {
    contacts: map([
      definition('email', 'string', [], true),
      ...['firstname', 'lastname', 'phone', 'mobilephone', 'company'].map((n) => definition(n)),
      definition('createdate', 'datetime'),
      definition('lastmodifieddate', 'datetime'),
    ]),
    calls: map([
      definition('hs_timestamp', 'datetime'),
      definition('hs_call_title'),
      definition('hs_call_body'),
      definition('hs_call_direction', 'enumeration', ['INBOUND', 'OUTBOUND']),
      definition('hs_call_status', 'enumeration', [
        'BUSY',
        'CALLING_CRM_USER',
        'CANCELED',
        'COMPLETED',
        'CONNECTING',
        'FAILED',
        'IN_PROGRESS',
        'NO_ANSWER',
        'QUEUED',
        'RINGING',
      ]),
      definition('hs_call_disposition'),
      definition('hs_call_duration', 'number'),
      definition('hs_call_recording_url'),
      definition('hs_call_to_number'),
      definition('hs_call_from_number'),
      definition('hs_createdate', 'datetime'),
      definition('hs_lastmodifieddate', 'datetime'),
    ]),
    tasks: map([
      definition('hs_timestamp', 'datetime'),
      definition('hs_task_subject'),
      definition('hs_task_body'),
      definition('hs_task_status', 'enumeration', ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']),
      definition('hs_task_priority', 'enumeration', ['NONE', 'LOW', 'MEDIUM', 'HIGH']),
      definition('hs_task_type', 'enumeration', ['EMAIL', 'CALL', 'TODO', 'LINKED_IN', 'MEETING']),
      definition('hs_createdate', 'datetime'),
      definition('hs_lastmodifieddate', 'datetime'),
    ]),
  };
}

/** HubSpot-defined association type ids for the default (unlabelled) associations used here. */
export const ASSOCIATION_TYPE: Record<string, number> = {
  'calls→contacts': 194,
  'contacts→calls': 193,
  'tasks→contacts': 204,
  'contacts→tasks': 203,
};
