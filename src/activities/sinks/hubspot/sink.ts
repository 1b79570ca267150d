import type { CrmPort } from '../crm/port';
import { createCrmSink } from '../crm/sink';
import type { OutcomeSink } from '../types';
import { hubspotCalls } from './calls';
import { createHubSpotClient } from './client';
import { hubspotSettingsFrom, type HubSpotConfig, type HubSpotSettings } from '../../../config/hubspot';
import { hubspotContacts } from './contacts';
import { hubspotTasks } from './tasks';

/** HubSpot as a CRM port: contacts, call engagements and callback tasks through the official client. */
export function createHubSpotPort(settings: HubSpotSettings): CrmPort {
  const client = createHubSpotClient(settings);
  return {
    ...hubspotContacts(client, settings),
    ...hubspotCalls(client, settings.dispositions),
    ...hubspotTasks(client, settings.taskOwnerId),
  };
}

/** The HubSpot sink (name `hubspot`). */
export function createHubSpotSink(settings: HubSpotSettings): OutcomeSink {
  return createCrmSink('hubspot', createHubSpotPort(settings), { contactIdVariable: settings.contactIdVariable });
}

/** The HubSpot sink from the parsed configuration, or undefined when HUBSPOT_ACCESS_TOKEN is not set. */
export function hubspotSinkFrom(config: HubSpotConfig): OutcomeSink | undefined {
  const settings = hubspotSettingsFrom(config);
  return settings ? createHubSpotSink(settings) : undefined;
}
