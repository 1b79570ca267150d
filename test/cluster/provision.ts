import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { SearchAttributes } from '../../src/contracts';
import { postgresBinDir, startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/postgres';
import type { ComposeTopology, HostMap } from './composeServices';
import { repoRoot, startEntryPoint, type AppProcess } from './processes';
import path from 'node:path';
import {
  ensureTemporalBinaries,
  runCommand,
  setupTemporalSchema,
  startTemporalServer,
  type RunningTemporal,
} from './temporalServer';

type Log = (line: string) => void;

/**
 * Custom search attributes a namespace may hold on SQL visibility (PostgreSQL, server 1.32): the pre-allocated
 * columns of executions_visibility (Keyword01..10, Int01..03, ...). Elasticsearch and Temporal Cloud allow more.
 */
export const SQL_VISIBILITY_LIMITS: Partial<Record<SearchAttributeType, number>> = {
  [SearchAttributeType.KEYWORD]: 10,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DATETIME]: 3,
  [SearchAttributeType.BOOL]: 3,
  [SearchAttributeType.DOUBLE]: 3,
  [SearchAttributeType.TEXT]: 3,
  [SearchAttributeType.KEYWORD_LIST]: 3,
};

/** "KEYWORD 7/10, INT 1/3, DATETIME 1/3"; throws when the project's list does not fit. */
export function searchAttributeBudget(): string {
  const used = new Map<SearchAttributeType, number>();
  for (const key of Object.values(SearchAttributes)) used.set(key.type, (used.get(key.type) ?? 0) + 1);
  const parts = [...used].map(([type, count]) => {
    const limit = SQL_VISIBILITY_LIMITS[type] ?? 0;
    if (count > limit) throw new Error(`${count} ${type} search attributes, SQL visibility allows ${limit}`);
    return `${type} ${count}/${limit}`;
  });
  return parts.join(', ');
}

export interface ProvisionedCluster {
  postgres: ThrowawayPostgres;
  /** The service's own database (outcomes, follow-ups, transcripts), beside Temporal's two. */
  databaseUrl: string;
  temporal: RunningTemporal;
  /** Milliseconds per provisioning step, in order. */
  timings: Array<[string, number]>;
  stop(): Promise<void>;
}

function ensurePostgresInstalled(log: Log): void {
  try {
    postgresBinDir();
  } catch (err) {
    if (process.getuid?.() !== 0) throw err;
    log('PostgreSQL server binaries are missing: apt-get install postgresql-15');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql-15'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    postgresBinDir();
  }
}

async function runToEnd(process: AppProcess): Promise<void> {
  const code = await process.exited;
  if (code !== 0) throw new Error(`${process.name} exited ${code}; see ${process.logFile}`);
}

/**
 * Everything the topology needs, on this host, set up as docker-compose.yml sets it up: one PostgreSQL whose roles
 * and databases come from deploy/postgres/init-roles.sh (run with the postgresql service's environment), Temporal's
 * schema as its own role, the Temporal server built from source on it, then compose's `setup` service (namespace,
 * search attributes, the service's schema) with its command and environment. Fills `hosts` as it goes.
 */
export async function provisionCluster(
  workDir: string,
  log: Log,
  compose?: ComposeTopology,
  hosts: HostMap = {},
): Promise<ProvisionedCluster> {
  if (!compose) return provisionForBench(workDir, log);
  const timings: Array<[string, number]> = [];
  const step = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = Date.now();
    const result = await work();
    timings.push([name, Date.now() - started]);
    return result;
  };
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    await step('PostgreSQL binaries', () => ensurePostgresInstalled(log));
    const postgres = await step('PostgreSQL cluster (initdb, start)', () => startThrowawayPostgres({ log }));
    stops.push(() => postgres.stop());
    hosts['postgresql:5432'] = `${postgres.host}:${postgres.port}`;
    await step('roles and databases (deploy/postgres/init-roles.sh)', () =>
      runCommand('sh', [path.join(repoRoot, 'deploy/postgres/init-roles.sh')], {
        env: {
          ...compose.environment('postgresql'),
          POSTGRES_USER: 'postgres',
          PGHOST: postgres.host,
          PGPORT: String(postgres.port),
          PATH: `${postgresBinDir()}:${process.env.PATH ?? ''}`,
        },
      }),
    );
    const temporalDb = compose.environment('temporal');
    const pg = {
      host: postgres.host,
      port: postgres.port,
      user: temporalDb.POSTGRES_USER ?? 'temporal',
      password: temporalDb.POSTGRES_PWD,
    };
    const bins = await step('Temporal server binaries (cache or go install)', () => ensureTemporalBinaries(log));
    await step('Temporal schema (temporal, temporal_visibility)', () =>
      setupTemporalSchema(bins, pg, { createDatabases: false }),
    );
    const temporal = await step('Temporal server start', () => startTemporalServer(bins, pg, workDir, log));
    stops.push(() => temporal.stop());
    hosts['temporal:7233'] = temporal.address;

    log(`search attributes on SQL visibility: ${searchAttributeBudget()}`);
    await step('compose `setup`: namespace, search attributes, the service schema', async () => {
      await runToEnd(compose.start('setup', 'setup'));
      await waitUntilSearchable(temporal.address);
    });
    return { postgres, databaseUrl: postgres.url('agntix'), temporal, timings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The same topology for the pipeline benchmarks, without compose: the entry points run from source, as the
 * superuser, so a bench needs no build.
 */
async function provisionForBench(workDir: string, log: Log): Promise<ProvisionedCluster> {
  const timings: Array<[string, number]> = [];
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    ensurePostgresInstalled(log);
    const postgres = await startThrowawayPostgres({ log });
    stops.push(() => postgres.stop());
    const pg = { host: postgres.host, port: postgres.port, user: 'postgres' };
    const bins = await ensureTemporalBinaries(log);
    await setupTemporalSchema(bins, pg);
    const temporal = await startTemporalServer(bins, pg, workDir, log);
    stops.push(() => temporal.stop());
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      LOG_LEVEL: 'warn',
    };
    await runToEnd(startEntryPoint('temporal-setup', 'setup', env, workDir));
    await waitUntilSearchable(temporal.address);
    const databaseUrl = await postgres.createDatabase('agntix');
    await runToEnd(startEntryPoint('db-migrate', 'migrate', { ...env, DATABASE_URL: databaseUrl }, workDir));
    return { postgres, databaseUrl, temporal, timings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** New search attributes reach the frontends' namespace cache within seconds; a query using one proves it. */
async function waitUntilSearchable(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const query = `${SearchAttributes.phase.name} = 'probe' AND ${SearchAttributes.followUpAt.name} > '2000-01-01T00:00:00Z'`;
    for (const until = Date.now() + 60_000; ;) {
      try {
        await client.workflow.count(query);
        return;
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
