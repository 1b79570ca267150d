import { loadConfig } from '../../src/config';
import { startDevServer, type DevServer } from '../../src/dev/devServer';
import { createLogger } from '../../src/logging';
import { startCodecServer, type RunningCodecServer } from '../../src/temporal/codecServer';
import { generateKeyItem } from '../../src/temporal/keyRing';
import { installRuntime } from '../../src/worker/runtime';
import { freePort } from '../helpers/freePort';

declare global {
  var __TEMPORAL_DEV_SERVER__: DevServer | undefined;
  var __CODEC_SERVER__: RunningCodecServer | undefined;
}

/**
 * One real Temporal dev server (in memory, free ports, with its Web UI for the browser test) for the whole suite;
 * tests use unique workflow ids and task queues. Payloads are encrypted as in production, under a key made for this
 * run (TEST_PAYLOAD_ENCRYPTION_KEYS), and the Web UI decodes them through the suite's codec server.
 */
export default async function globalSetup(): Promise<void> {
  installRuntime('warn');
  const keys = generateKeyItem('test');
  const uiPort = await freePort();
  const config = loadConfig({ NODE_ENV: 'test', PAYLOAD_ENCRYPTION_KEYS: keys });
  const codec = await startCodecServer(config, createLogger('silent'), {
    port: 0,
    origins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  const server = await startDevServer({
    uiPort,
    codecEndpoint: codec.url,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  globalThis.__CODEC_SERVER__ = codec;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
  process.env.TEST_PAYLOAD_ENCRYPTION_KEYS = keys;
  process.env.TEST_CODEC_URL = codec.url;
  const binary = server.cli.kind === 'binary' ? server.cli.path : 'SDK download';
  process.stdout.write(
    `\nTemporal dev server for tests: ${server.address}, Web UI ${server.uiUrl} (${binary}), codec ${codec.url}\n`,
  );
}
