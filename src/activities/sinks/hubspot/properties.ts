import type { Client } from '@hubspot/api-client';
import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
  type PropertyCreate,
} from '@hubspot/api-client/lib/codegen/crm/properties';
import type { ContactFact } from '../crm/port';
import type { HubSpotSettings } from '../../../config/hubspot';
import { hubspotRequest, type HubSpotOperation } from './failures';
import { FOLLOW_UP_ID_PROPERTY, OUTCOME_PROPERTY, PHONE_KEY_PROPERTY, SESSION_ID_PROPERTY } from './mapping';

export type ObjectType = 'contacts' | 'calls' | 'tasks';

/** The property group the custom properties live in, so a HubSpot admin sees where they come from. */
export const GROUP = { name: 'agntix', label: 'Agntix' };

const text = (name: string, label: string, description: string, unique = false): PropertyCreate => ({
  name,
  label,
  description,
  groupName: GROUP.name,
  type: PropertyCreateTypeEnum.String,
  fieldType: PropertyCreateFieldTypeEnum.Text,
  hasUniqueValue: unique,
});
const datetime = (name: string, label: string, description: string): PropertyCreate => ({
  name,
  label,
  description,
  groupName: GROUP.name,
  type: PropertyCreateTypeEnum.Datetime,
  fieldType: PropertyCreateFieldTypeEnum.Date,
});

const FACT_PROPERTY: Record<ContactFact, (name: string) => PropertyCreate> = {
  lastCallOutcome: (name) => text(name, 'Last AI call outcome', 'The outcome of the last Agntix call.'),
  lastCallAt: (name) => datetime(name, 'Last AI call at', 'When the last Agntix call ended.'),
  callbackDueAt: (name) => datetime(name, 'AI callback due at', 'When the Agntix agent calls back; empty when none.'),
};

/** Every custom property the sink writes, by object type; the unique ones are what its upserts key on. */
export function propertiesNeeded(
  settings: Pick<HubSpotSettings, 'contactProperties'>,
): Record<ObjectType, PropertyCreate[]> {
  const facts = Object.entries(settings.contactProperties) as [ContactFact, string][];
  return {
    contacts: [
      text(
        PHONE_KEY_PROPERTY,
        'Phone key (Agntix)',
        'The phone number in E.164, unique: one contact per customer.',
        true,
      ),
      ...facts.map(([fact, name]) => FACT_PROPERTY[fact](name)),
    ],
    calls: [
      text(SESSION_ID_PROPERTY, 'Agntix session id', 'The Agntix session this call records; unique.', true),
      text(OUTCOME_PROPERTY, 'Agntix outcome', "The agent's call outcome, else the resolution classification."),
    ],
    tasks: [text(FOLLOW_UP_ID_PROPERTY, 'Agntix follow-up id', 'The Agntix follow-up this task tracks; unique.', true)],
  };
}

const READ: HubSpotOperation = { what: 'read property definitions', scopes: ['crm.schemas.contacts.read'] };
const WRITE: HubSpotOperation = { what: 'create properties', scopes: ['crm.schemas.contacts.write'] };

export interface SetupReport {
  lines: string[];
  /** Problems a person must fix (a property that exists but is not unique cannot be made unique). */
  problems: string[];
}

const isConflict = (err: unknown) => (err as { code?: unknown } | null)?.code === 409;

/**
 * Creates the property group and the custom properties the sink needs, skipping the ones that exist: safe to run
 * again, and again after a configuration change. Checks the deployment's own contact id property, which it never
 * creates.
 */
export async function ensureHubSpotProperties(
  client: Client,
  settings: Pick<HubSpotSettings, 'contactProperties' | 'contactIdProperty'>,
): Promise<SetupReport> {
  const report: SetupReport = { lines: [], problems: [] };
  const { coreApi, groupsApi } = client.crm.properties;
  for (const [objectType, wanted] of Object.entries(propertiesNeeded(settings)) as [ObjectType, PropertyCreate[]][]) {
    const existing = new Map(
      (await hubspotRequest(READ, () => coreApi.getAll(objectType))).results.map((p) => [p.name, p]),
    );
    const groups = await hubspotRequest(READ, () => groupsApi.getAll(objectType));
    if (!groups.results.some((g) => g.name === GROUP.name)) {
      await hubspotRequest(WRITE, () => groupsApi.create(objectType, GROUP)).catch((err: unknown) => {
        if (!isConflict(err)) throw err;
      });
      report.lines.push(`${objectType}: property group ${GROUP.name} created`);
    }
    for (const property of wanted) {
      const found = existing.get(property.name);
      if (found) {
        if (property.hasUniqueValue && !found.hasUniqueValue) {
          report.problems.push(
            `${objectType}.${property.name} exists but does not require unique values; archive it in HubSpot and run this again`,
          );
        } else report.lines.push(`${objectType}.${property.name}: exists`);
        continue;
      }
      await hubspotRequest(WRITE, () => coreApi.create(objectType, property)).catch((err: unknown) => {
        if (!isConflict(err)) throw err;
      });
      report.lines.push(`${objectType}.${property.name}: created${property.hasUniqueValue ? ' (unique)' : ''}`);
    }
    if (objectType === 'contacts' && settings.contactIdProperty !== 'hs_object_id') {
      const own = existing.get(settings.contactIdProperty);
      if (!own)
        report.problems.push(`contacts.${settings.contactIdProperty} (HUBSPOT_CONTACT_ID_PROPERTY) does not exist`);
      else if (!own.hasUniqueValue) {
        report.problems.push(
          `contacts.${settings.contactIdProperty} (HUBSPOT_CONTACT_ID_PROPERTY) does not require unique values`,
        );
      } else report.lines.push(`contacts.${settings.contactIdProperty}: exists (unique), used as the contact id`);
    }
  }
  return report;
}
