import { createHubSpotClient } from '../../activities/sinks/hubspot/client';
import { HubSpotConfigSchema, hubspotSettingsFrom } from '../../config/hubspot';
import { ensureHubSpotProperties } from '../../activities/sinks/hubspot/properties';
import { SANDBOX_HUBSPOT_PORT, SANDBOX_HUBSPOT_TOKEN, startFakeHubSpot } from './fakeHubspot';

export interface HubSpotSandbox {
  url: string;
  /** The settings that point the HubSpot sink at the stand-in. */
  env: { HUBSPOT_ACCESS_TOKEN: string; HUBSPOT_BASE_URL: string };
  close(): Promise<void>;
}

/**
 * The local HubSpot stand-in for `npm start` without HUBSPOT_ACCESS_TOKEN, set up as `npm run hubspot:setup` would
 * set up a real account, so the demo shows the CRM records the HubSpot sink writes.
 */
export async function startHubSpotSandbox(env: NodeJS.ProcessEnv): Promise<HubSpotSandbox> {
  const hub = await startFakeHubSpot({ port: Number(env.HUBSPOT_SANDBOX_PORT ?? SANDBOX_HUBSPOT_PORT) });
  const sandboxEnv = { HUBSPOT_ACCESS_TOKEN: SANDBOX_HUBSPOT_TOKEN, HUBSPOT_BASE_URL: hub.url };
  try {
    const settings = hubspotSettingsFrom(HubSpotConfigSchema.parse({ ...env, ...sandboxEnv }));
    if (settings) await ensureHubSpotProperties(createHubSpotClient(settings), settings);
  } catch (err) {
    await hub.close();
    throw err;
  }
  return { url: hub.url, env: sandboxEnv, close: hub.close };
}
