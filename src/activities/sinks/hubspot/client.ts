import { Client } from '@hubspot/api-client';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

export interface HubSpotConnection {
  accessToken: string;
  /** https://api.hubapi.com, or a local stand-in in tests and the sandbox. */
  baseUrl: string;
  /** A request that sends or receives nothing for this long fails (and Temporal retries the write). */
  timeoutMs: number;
}

/** Thrown when HubSpot stays silent past the timeout. */
export class HubSpotTimeout extends Error {
  override name = 'HubSpotTimeout';
}

/**
 * The official client, with its own retries off (Temporal owns retries, with the rate-limit delay HubSpot asks
 * for) and a socket deadline: the client's transport has no timeout of its own, so a stalled HubSpot would
 * otherwise hold an activity until its start-to-close timeout.
 */
export function createHubSpotClient(connection: HubSpotConnection): Client {
  return new Client({
    accessToken: connection.accessToken,
    basePath: connection.baseUrl.replace(/\/+$/, ''),
    numberOfApiCallRetries: 0,
    httpAgent: deadlineAgent(connection.baseUrl.startsWith('https:'), connection.timeoutMs),
  });
}

function deadlineAgent(secure: boolean, timeoutMs: number): http.Agent {
  const onSocket = (socket: Duplex | null | undefined) => {
    // The agent's `timeout` arms the socket for every request it carries; the client never listens, so we end it.
    socket?.on('timeout', () => socket.destroy(new HubSpotTimeout(`HubSpot did not answer within ${timeoutMs} ms`)));
    return socket;
  };
  const options = { keepAlive: true, timeout: timeoutMs };
  if (secure) {
    return new (class extends https.Agent {
      override createConnection(...args: Parameters<https.Agent['createConnection']>) {
        return onSocket(super.createConnection(...args));
      }
    })(options);
  }
  return new (class extends http.Agent {
    override createConnection(...args: Parameters<http.Agent['createConnection']>) {
      return onSocket(super.createConnection(...args));
    }
  })(options);
}
