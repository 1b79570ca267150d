import type { RequestListener, Server } from 'node:http';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP stand-in listening on 127.0.0.1: its base URL, and a close that ends open keep-alive connections. */
export interface LoopbackServer {
  server: Server;
  url: string;
  close: () => Promise<void>;
}

/**
 * Starts a stand-in (the sandbox's Agntix and HubSpot, the tests' and benches' receivers) on 127.0.0.1, on `port` or a
 * free one. Closing drops idle keep-alive connections at once, so a stopped stand-in never holds a test open.
 */
export function listenOnLoopback(handler: RequestListener, port = 0): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
