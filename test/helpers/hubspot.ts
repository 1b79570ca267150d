import { createHubSpotClient } from '../../src/activities/sinks/hubspot/client';
import { HubSpotConfigSchema, hubspotSettingsFrom, type HubSpotSettings } from '../../src/config/hubspot';
import { ensureHubSpotProperties } from '../../src/activities/sinks/hubspot/properties';
import { createHubSpotSink } from '../../src/activities/sinks/hubspot/sink';
import type { FakeHubSpot } from '../../src/dev/sandbox/fakeHubspot';
import { SANDBOX_HUBSPOT_TOKEN } from '../../src/dev/sandbox/fakeHubspot';
import type { ObjectType } from '../../src/dev/sandbox/fakeHubspotStore';

/** The sink's settings for the stand-in, from the same environment variables production reads. */
export function hubspotSettingsFor(hub: FakeHubSpot, env: Record<string, string> = {}): HubSpotSettings {
  const settings = hubspotSettingsFrom(
    HubSpotConfigSchema.parse({
      HUBSPOT_ACCESS_TOKEN: SANDBOX_HUBSPOT_TOKEN,
      HUBSPOT_BASE_URL: hub.url,
      HUBSPOT_TIMEOUT_MS: '2000',
      ...env,
    }),
  );
  if (!settings) throw new Error('no HubSpot settings');
  return settings;
}

/** The HubSpot sink on the official client, pointed at the stand-in, after `npm run hubspot:setup`'s work. */
export async function hubspotSinkFor(hub: FakeHubSpot, env: Record<string, string> = {}) {
  const settings = hubspotSettingsFor(hub, env);
  await ensureHubSpotProperties(createHubSpotClient({ ...settings, accessToken: SANDBOX_HUBSPOT_TOKEN }), settings);
  return createHubSpotSink(settings);
}

/** What a HubSpot user checks: the records holding a property value, and what they are associated with. */
export function crmView(hub: FakeHubSpot) {
  const where = (type: ObjectType, property: string, value: string) =>
    hub.all(type).filter((r) => r.properties[property] === value);
  return {
    contactsWithPhone: (phone: string) =>
      hub.all('contacts').filter((r) => r.properties.phone === phone || r.properties.mobilephone === phone),
    callsOf: (sessionId: string) => where('calls', 'agntix_session_id', sessionId),
    tasksOf: (followUpId: string) => where('tasks', 'agntix_follow_up_id', followUpId),
    contactsOf: (type: ObjectType, id: string) => hub.store.associated(type, id, 'contacts'),
  };
}
