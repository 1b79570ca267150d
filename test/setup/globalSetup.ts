import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { installRuntime } from '../../src/worker/runtime';

declare global {
  var __TEMPORAL_DEV_SERVER__: DevServer | undefined;
}

/** One real Temporal dev server (in memory, free port) for the whole suite; tests use unique workflow ids. */
export default async function globalSetup(): Promise<void> {
  installRuntime('warn');
  const server = await startDevServer({ log: (line) => process.stdout.write(`${line}\n`) });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.stdout.write(
    `\nTemporal dev server for tests: ${server.address} (${server.cli.kind === 'binary' ? server.cli.path : 'SDK download'})\n`,
  );
}
