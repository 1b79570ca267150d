import net from 'node:net';
import { startDevServer, type DevServer } from '../../src/dev/devServer';
import { installRuntime } from '../../src/worker/runtime';

declare global {
  var __TEMPORAL_DEV_SERVER__: DevServer | undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One real Temporal dev server (in memory, free ports, with its Web UI for the browser test) for the whole suite;
 * tests use unique workflow ids and task queues.
 */
export default async function globalSetup(): Promise<void> {
  installRuntime('warn');
  const server = await startDevServer({ uiPort: await freePort(), log: (line) => process.stdout.write(`${line}\n`) });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
  const binary = server.cli.kind === 'binary' ? server.cli.path : 'SDK download';
  process.stdout.write(`\nTemporal dev server for tests: ${server.address}, Web UI ${server.uiUrl} (${binary})\n`);
}
