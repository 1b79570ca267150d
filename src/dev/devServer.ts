import { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { chmodSync, existsSync } from 'node:fs';
import { PRIVATE_FILE_MODE, ensurePrivateDirSync } from '../store/privateFiles';
import { SearchAttributes } from '../contracts';
import { resolveTemporalCli, type TemporalCli } from './temporalCli';
import { ensureRetention } from '../temporal/namespace';

export interface DevServerOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFilename?: string;
  namespace?: string;
  /** The codec server the Web UI decodes payloads through (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
  /** Serves the server's own Prometheus metrics (its `action` counter among them) on this loopback port. */
  metricsPort?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  namespace: string;
  uiUrl?: string;
  cli: TemporalCli;
  stop(): Promise<void>;
}

/**
 * Starts a real `temporal server start-dev` with the project's search attributes registered and waits until it
 * answers. The SDK's ephemeral-server support does the spawning, port choice and health wait; this module decides
 * which binary it runs (see `resolveTemporalCli`).
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const namespace = options.namespace ?? 'default';
  const cli = await resolveTemporalCli({ log });
  // Workflow histories are customer data: the folder is closed before the CLI writes in it (the CLI takes an existing
  // empty file for a migrated database, so the file itself is made private once the server has created it).
  if (options.dbFilename) ensurePrivateDirSync(path.dirname(options.dbFilename));

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable:
        cli.kind === 'binary'
          ? { type: 'existing-path', path: cli.path }
          : { type: 'cached-download', version: cli.version, downloadDir: cli.downloadDir },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace,
      searchAttributes: Object.values(SearchAttributes),
      log: { format: 'pretty', level: 'error' },
      extraArgs: [
        ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
        ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
        // A deleted workflow (npm run forget) goes once its close is acknowledged: every second here, not every 30 s.
        ...['--dynamic-config-value', 'history.transferProcessorUpdateAckInterval="1s"'],
      ],
    },
  });
  await ensureRetention(env.connection, namespace);
  if (options.dbFilename) privateSqliteFiles(options.dbFilename);

  return {
    address: env.address,
    namespace,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
    cli,
    stop: () => env.teardown(),
  };
}

/** The database and the journals SQLite keeps beside it (created with the database's mode, or left by a run before). */
function privateSqliteFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
  }
}
