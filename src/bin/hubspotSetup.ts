import { createHubSpotClient } from '../activities/sinks/hubspot/client';
import { hubspotSettingsFrom } from '../config/hubspot';
import { ensureHubSpotProperties } from '../activities/sinks/hubspot/properties';
import { ConfigError, loadConfig } from '../config';

/**
 * `npm run hubspot:setup`: creates the custom properties the HubSpot sink writes (idempotent: existing ones are
 * kept). Run it once per HubSpot account, and again after changing HUBSPOT_CONTACT_PROPERTIES.
 */
async function main(): Promise<number> {
  const settings = hubspotSettingsFrom(loadConfig());
  if (!settings) {
    console.error('HUBSPOT_ACCESS_TOKEN is not set: nothing to set up');
    return 2;
  }
  const report = await ensureHubSpotProperties(createHubSpotClient(settings), settings);
  for (const line of report.lines) console.log(line);
  for (const problem of report.problems) console.error(`problem: ${problem}`);
  return report.problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
