import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { fatal } from '../bin/fatal';
import { createLogger } from '../logging';
import { startApi } from '../api/server';
import { startDevServer, type DevServer } from './devServer';
import { runWorker } from '../worker/run';
import { installRuntime } from '../worker/runtime';
import { ensurePrivateDir } from '../store/privateFiles';
import { workerMetricsHost } from '../config/observability';
import { installConfiguredTracing } from '../observability/tracing';
import { loadOrCreateDevSecret } from './devSecret';
import { loadOrCreateDevKey } from './devKey';
import { startCodecServer, type RunningCodecServer } from '../temporal/codecServer';
import { practiceEnv, SANDBOX_PORT, sandboxEnv } from './sandbox/env';
import { startFakeAgntix, type FakeAgntix } from './sandbox/fakeAgntix';
import { startHubSpotSandbox, type HubSpotSandbox } from './sandbox/hubspotSandbox';
import { prettyDestination } from './prettyLog';

/**
 * `npm start`: the whole stack in one process on an embedded Temporal dev server (data kept in DATA_DIR, so a
 * restart loses nothing), unless TEMPORAL_ADDRESS points at a server of your own.
 */
async function main() {
  const env = { ...process.env };
  const dataDir = path.resolve(env.DATA_DIR ?? '.data');
  // Keys, the dev server's histories and the outcome store: the developer's alone, whatever the umask made them.
  await ensurePrivateDir(dataDir);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  // Read now so a bad setting stops start-up before anything runs, and the runtime serves the worker's metrics.
  const settings = loadConfig(env);
  installRuntime(settings.LOG_LEVEL, settings.WORKER_METRICS_PORT, workerMetricsHost(settings));
  const tracing = installConfiguredTracing(settings, 'agntix-temporal');

  if (!env.AGNTIX_WEBHOOK_SECRET && env.NODE_ENV !== 'production') {
    const dev = loadOrCreateDevSecret(dataDir);
    env.AGNTIX_WEBHOOK_SECRET = dev.secret;
    say(`Webhook signing secret (development, ${dev.created ? 'new' : 'kept'} in ${dev.file}): ${dev.secret}`);
  }

  if (!env.PAYLOAD_ENCRYPTION_KEYS && env.PAYLOAD_ENCRYPTION !== 'off' && env.NODE_ENV !== 'production') {
    const dev = loadOrCreateDevKey(dataDir);
    env.PAYLOAD_ENCRYPTION_KEYS = dev.keys;
    say(
      `Payload encryption key (development, ${dev.created ? 'new' : 'kept'} in ${dev.file}): histories are encrypted`,
    );
  }

  let sandbox: FakeAgntix | undefined;
  if (!env.AGNTIX_API_KEY && env.NODE_ENV !== 'production') {
    sandbox = await startFakeAgntix({
      port: Number(env.SANDBOX_PORT ?? SANDBOX_PORT),
      webhooks: {
        url: `http://localhost:${env.PORT ?? 3000}/webhooks/agntix`,
        secret: env.AGNTIX_WEBHOOK_SECRET!.split(/[\s,]+/)[0]!,
      },
      serveExamples: true,
      log: say,
    });
    Object.assign(env, sandboxEnv(sandbox.url, { ...practiceEnv(sandbox.url), ...env }));
    say(`No AGNTIX_API_KEY: using the local Agntix sandbox at ${sandbox.url} (npm run demo plays a call through it).`);
  }

  let hubspot: HubSpotSandbox | undefined;
  if (sandbox && !env.HUBSPOT_ACCESS_TOKEN) {
    hubspot = await startHubSpotSandbox(env);
    Object.assign(env, hubspot.env);
    say(`No HUBSPOT_ACCESS_TOKEN: the HubSpot sink writes to a local HubSpot stand-in at ${hubspot.url}.`);
  }

  const grpcPort = portFrom(env, 'TEMPORAL_DEV_PORT', 7233);
  const embedded = !env.TEMPORAL_ADDRESS;
  if (embedded) env.TEMPORAL_ADDRESS = `127.0.0.1:${grpcPort}`;
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'production' ? undefined : prettyDestination());

  // Started before the dev server, whose Web UI is told to decode payloads through it from its own origin.
  const uiPort = portFrom(env, 'TEMPORAL_DEV_UI_PORT', grpcPort + 1000);
  let codec: RunningCodecServer | undefined;
  if (config.PAYLOAD_ENCRYPTION_KEYS) codec = await startCodecServer(config, logger, { devUiPort: uiPort });

  let devServer: DevServer | undefined;
  if (embedded) {
    devServer = await startDevServer({
      port: grpcPort,
      uiPort,
      dbFilename: path.join(dataDir, 'temporal.db'),
      codecEndpoint: codec?.url,
      log: say,
    });
  }

  const worker = await runWorker(config, logger, env);
  const api = await startApi(config, logger, env);

  say('');
  say(
    `Temporal   ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
  );
  if (devServer?.uiUrl) say(`Web UI     ${devServer.uiUrl}`);
  if (codec) say(`Codec      ${codec.url}   (the Web UI decodes encrypted payloads through it)`);
  say(`Webhooks   http://localhost:${api.port}/webhooks/agntix`);
  say(`Health     http://localhost:${api.port}/healthz`);
  say(`Metrics    API http://localhost:${api.port}/metrics   ${workerMetrics(config.WORKER_METRICS_PORT)}`);
  say(
    `Traces     ${tracing ? `OTLP to ${config.OTEL_EXPORTER_OTLP_ENDPOINT}` : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT)'}`,
  );
  say('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('Stopping...');
    await api.close();
    await worker.stop();
    await sandbox?.close();
    await hubspot?.close();
    await codec?.close();
    await devServer?.stop().catch(() => undefined); // Ctrl-C reaches the dev server too; it may be gone already
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await worker.done;
  if (!stopping) throw new Error('the worker stopped unexpectedly');
}

/** A port from the environment (so a second stack, or a benchmark, can run beside the first), or the default. */
function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`Invalid configuration: ${name} must be a port number (1-65535)`);
  }
  return port;
}

const workerMetrics = (port: number | undefined) =>
  port === undefined ? 'worker off (WORKER_METRICS_PORT=off)' : `worker http://localhost:${port}/metrics`;

main().catch(fatal);
