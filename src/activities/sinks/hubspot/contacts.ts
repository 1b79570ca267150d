import type { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import type { ContactFacts, ContactRef, CrmContact } from '../crm/port';
import { isNotFound, onlyResult } from './batch';
import type { HubSpotSettings } from '../../../config/hubspot';
import { hubspotRequest, type HubSpotOperation } from './failures';
import { PHONE_KEY_PROPERTY, contactProperties, factsOf, phoneKeyOf } from './mapping';

const READ: HubSpotOperation = { what: 'read contacts', scopes: ['crm.objects.contacts.read'] };
const WRITE: HubSpotOperation = { what: 'write contacts', scopes: ['crm.objects.contacts.write'] };
const RECORD_ID = 'hs_object_id';

/**
 * Finds the customer's contact: by the id the call was started with, else by phone (first the unique phone key
 * this service stamps, read directly, then HubSpot's search, which lags new records by seconds). Creates one only
 * when none is found, by upsert on a unique property (the deployment's own id property, else the phone key), so two
 * sessions racing for a new customer still make one contact: HubSpot enforces the uniqueness, not this code.
 */
export function hubspotContacts(client: Client, settings: HubSpotSettings) {
  const { basicApi, searchApi, batchApi } = client.crm.contacts;
  const factProperties = Object.values(settings.contactProperties);
  const toContact = (found: { id: string; properties: Record<string, string | null> }): CrmContact => ({
    id: found.id,
    facts: factsOf(found.properties, settings.contactProperties),
  });

  /** The contact with that id, or undefined (a 404 is an answer here, not a failure). */
  function get(id: string, idProperty?: string) {
    return hubspotRequest(READ, () =>
      basicApi.getById(id, factProperties, undefined, undefined, false, idProperty).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      }),
    );
  }

  async function search(phoneNumber: string, key: string) {
    const values = [...new Set([phoneNumber, key])];
    const filterGroups = settings.phoneProperties.flatMap((propertyName) =>
      values.map((value) => ({ filters: [{ propertyName, operator: FilterOperatorEnum.Eq, value }] })),
    );
    if (filterGroups.length === 0) return undefined;
    // HubSpot takes at most five filter groups per search.
    const found = await hubspotRequest(READ, () =>
      searchApi.doSearch({ filterGroups: filterGroups.slice(0, 5), properties: factProperties, limit: 1 }),
    );
    return found.results[0];
  }

  async function create(ref: ContactRef, key: string | undefined) {
    const ownId = settings.contactIdProperty !== RECORD_ID ? ref.crmContactId : undefined;
    const idProperty = ownId ? settings.contactIdProperty : key ? PHONE_KEY_PROPERTY : undefined;
    const id = ownId ?? key;
    if (!idProperty || !id) return undefined;
    const properties: Record<string, string> = {};
    if (ownId) properties[settings.contactIdProperty] = ownId;
    if (key && ref.phoneNumber) Object.assign(properties, { phone: ref.phoneNumber, [PHONE_KEY_PROPERTY]: key });
    return hubspotRequest(WRITE, async () =>
      onlyResult(await batchApi.upsert({ inputs: [{ idProperty, id, properties }] })),
    );
  }

  return {
    async contactFor(ref: ContactRef): Promise<CrmContact | undefined> {
      const byRecordId = settings.contactIdProperty === RECORD_ID;
      if (ref.crmContactId && (!byRecordId || /^\d+$/.test(ref.crmContactId))) {
        const found = await get(ref.crmContactId, byRecordId ? undefined : settings.contactIdProperty);
        if (found) return toContact(found);
      }
      const key = ref.phoneNumber ? phoneKeyOf(ref.phoneNumber) : undefined;
      if (ref.phoneNumber && key) {
        const found = (await get(key, PHONE_KEY_PROPERTY)) ?? (await search(ref.phoneNumber, key));
        if (found) return toContact(found);
      }
      if (!settings.createContacts) return undefined;
      const created = await create(ref, key);
      return created ? toContact(created) : undefined;
    },

    async factsOf(contact: CrmContact): Promise<ContactFacts> {
      const found = await get(contact.id);
      return found ? toContact(found).facts : contact.facts;
    },

    async updateContact(contact: CrmContact, facts: ContactFacts): Promise<void> {
      const properties = contactProperties(facts, settings.contactProperties);
      if (Object.keys(properties).length === 0) return;
      await hubspotRequest(WRITE, () => basicApi.update(contact.id, { properties }));
    },
  };
}
