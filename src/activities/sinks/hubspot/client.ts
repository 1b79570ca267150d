import { Client } from '@hubspot/api-client';
import http from 'node:http';
import https from 'node:https';
import { boundRequest } from './bounds';

export { HubSpotRedirect, HubSpotResponseTooLarge, HubSpotTimeout } from './bounds';

export interface HubSpotConnection {
  accessToken: string;
  /** https://api.hubapi.com, or a local stand-in in tests and the sandbox. */
  baseUrl: string;
  /** A request not answered in full within this long fails (and Temporal retries the write). */
  timeoutMs: number;
  /** Bytes of an answer read at most: past them the request fails instead of filling the worker's memory. */
  maxResponseBytes: number;
}

/**
 * The official client, with its own retries off (Temporal owns retries, with the rate-limit delay HubSpot asks
 * for) and the limits every other outbound call has (src/activities/outboundFetch.ts): an overall deadline per
 * request, a cap on the answer's size, no redirect followed. The client's Node transport has none of them and takes
 * an http agent, so the agent applies them to every request it carries (./bounds.ts).
 */
export function createHubSpotClient(connection: HubSpotConnection): Client {
  return new Client({
    accessToken: connection.accessToken,
    basePath: connection.baseUrl.replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
    httpAgent: boundedAgent(connection),
  });
}

/** `addRequest` is how http.request hands every request to its agent (Node's own API, absent from its typings). */
type AddRequest = (req: http.ClientRequest, options: unknown) => void;

function boundedAgent(connection: HubSpotConnection): http.Agent {
  // The socket timeout retires idle pooled sockets; the deadline ends a request, however slowly it trickles.
  const options = { keepAlive: true, timeout: connection.timeoutMs };
  const agent = connection.baseUrl.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
  const bounded = agent as unknown as { addRequest: AddRequest };
  const addRequest = bounded.addRequest.bind(agent);
  bounded.addRequest = (req, requestOptions) => {
    boundRequest(req, connection);
    addRequest(req, requestOptions);
  };
  return agent;
}
