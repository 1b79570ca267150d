import { createAgntixClient } from '../../src/activities/agntix/client';
import { createCallsClient } from '../../src/activities/agntix/calls';
import { loadConfig } from '../../src/config';

/** The real Agntix clients pointed at a local server, on the configured default paths. */
export function agntixClientsFor(baseUrl: string, apiKey: string, callTimeoutMs = 5000) {
  const defaults = loadConfig({});
  return {
    agntix: createAgntixClient({
      baseUrl,
      apiKey,
      paths: {
        session: defaults.AGNTIX_SESSION_PATH,
        messages: defaults.AGNTIX_MESSAGES_PATH,
        sessions: defaults.AGNTIX_SESSIONS_PATH,
      },
      timeoutMs: 5000,
    }),
    calls: createCallsClient({ baseUrl, apiKey, path: defaults.AGNTIX_CALLS_START_PATH, timeoutMs: callTimeoutMs }),
  };
}
