import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { grpc } from '@temporalio/proto';
import { freePort } from '../helpers/freePort';

/**
 * The Temporal server the cluster test runs: the same version as docker-compose.yml's temporalio/server image,
 * built from source with `go install` (its go.mod has no `replace`, so it installs like any Go command) and cached
 * outside the repo, like the CLI. 1.32.2 requires Go 1.26.10, which the go command fetches as a toolchain module.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
const GO_TOOLCHAIN = 'go1.26.10';
const MODULE = 'go.temporal.io/server';
const repoRoot = path.resolve(__dirname, '../..');
export const SERVER_CONFIG = path.join(repoRoot, 'deploy/temporal/server.yaml');
const DYNAMIC_CONFIG = path.join(repoRoot, 'deploy/temporal/dynamicconfig.yaml');

type Log = (line: string) => void;

export interface TemporalBinaries {
  server: string;
  sql: string;
  /** schema/postgresql/v12 of the same module version. */
  schemaDir: string;
}

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(base, 'agntix-temporal', `server-${TEMPORAL_SERVER_VERSION}`);
}

/** Runs a command to its end; rejects with the tail of its output. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; onOutput?: (text: string) => void } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-20_000);
      options.onOutput?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

async function goInstall(pkg: string, dir: string, log: Log): Promise<void> {
  const started = Date.now();
  let downloads = 0;
  const ticker = setInterval(
    () =>
      log(`  still building ${pkg}: ${Math.round((Date.now() - started) / 1000)}s, ${downloads} modules downloaded`),
    30_000,
  );
  try {
    await runCommand('go', ['install', `${pkg}@${TEMPORAL_SERVER_VERSION}`], {
      env: { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: dir },
      onOutput: (text) => (downloads += (text.match(/go: downloading/g) ?? []).length),
    });
  } finally {
    clearInterval(ticker);
  }
  log(`  built ${pkg} in ${Math.round((Date.now() - started) / 1000)}s`);
}

/**
 * The server and its SQL schema tool from the cache, built on first use (the slow path: about 7 minutes on two
 * cores), plus the versioned PostgreSQL schema copied from the same module's source.
 */
export async function ensureTemporalBinaries(log: Log): Promise<TemporalBinaries> {
  const dir = serverCacheDir();
  const bins = {
    server: path.join(dir, 'server'),
    sql: path.join(dir, 'sql'),
    schemaDir: path.join(dir, 'schema/postgresql/v12'),
  };
  mkdirSync(dir, { recursive: true });
  if (!existsSync(bins.server) || !existsSync(bins.sql)) {
    log(
      `Temporal server ${TEMPORAL_SERVER_VERSION} is not in ${dir}: building it from source with go install (slow path, first run only: about 7 minutes on 2 cores)`,
    );
    if (!existsSync(bins.server)) await goInstall(`${MODULE}/cmd/server`, dir, log);
    if (!existsSync(bins.sql)) await goInstall(`${MODULE}/cmd/tools/sql`, dir, log);
  }
  if (!existsSync(path.join(bins.schemaDir, 'temporal/versioned'))) {
    const out = await runCommand('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], {
      env: { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '-mod=mod' },
    });
    const moduleDir = (JSON.parse(out) as { Dir: string }).Dir;
    cpSync(path.join(moduleDir, 'schema/postgresql/v12'), bins.schemaDir, { recursive: true });
  }
  return bins;
}

/** A port free on 127.0.0.1 in [20000, limit), probed at random. */
async function freePortBelow(limit: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (limit - 20_000));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${limit}`);
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
}

/**
 * Creates the `temporal` and `temporal_visibility` databases (unless they exist) and brings both to the newest schema version, as
 * docker-compose.yml's admin-tools job does with the same tool.
 */
export async function setupTemporalSchema(
  bins: TemporalBinaries,
  pg: PostgresTarget,
  options: { createDatabases?: boolean } = {},
): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '--port', String(pg.port), '--user', pg.user];
  if (pg.password) base.push('--password', pg.password);
  for (const [database, folder] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    // Under compose the databases exist already (init-roles.sh), owned by a role that may not create databases.
    if (options.createDatabases !== false) await runCommand(bins.sql, [...base, '--db', database, 'create-database']);
    await runCommand(bins.sql, [...base, '--db', database, 'setup-schema', '-v', '0.0']);
    await runCommand(bins.sql, [
      ...base,
      '--db',
      database,
      'update-schema',
      '-d',
      path.join(bins.schemaDir, folder, 'versioned'),
    ]);
  }
}

export interface RunningTemporal {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the server with deploy/temporal/server.yaml, every port free and bound to 127.0.0.1 (the frontend
 * included: nothing is published beyond this host, and no Web UI is started). The rendered config is kept beside
 * the log for a post-mortem.
 */
export async function startTemporalServer(
  bins: TemporalBinaries,
  pg: PostgresTarget,
  workDir: string,
  log: Log,
): Promise<RunningTemporal> {
  const ports: Record<string, number> = {};
  for (const name of ['FRONTEND_GRPC', 'FRONTEND_HTTP', 'MATCHING_GRPC', 'HISTORY_GRPC', 'WORKER_GRPC']) {
    ports[`${name}_PORT`] = await freePort();
  }
  // Membership ports are stored in a SMALLINT column of the cluster_membership table: they must stay below 32768,
  // under the kernel's ephemeral range that port 0 picks from.
  for (const name of ['FRONTEND', 'MATCHING', 'HISTORY', 'WORKER']) {
    ports[`${name}_MEMBERSHIP_PORT`] = await freePortBelow(32_768);
  }
  // The deployment's own dynamic config, plus one test-only change: a drained build is reported within seconds,
  // not the server's default of minutes, so the rolling deploy can wait for it.
  const dynamicConfig = path.join(workDir, 'dynamicconfig.yaml');
  writeFileSync(
    dynamicConfig,
    `${readFileSync(DYNAMIC_CONFIG, 'utf8')}\n` +
      ['matching.wv.VersionDrainageStatusVisibilityGracePeriod', 'matching.wv.VersionDrainageStatusRefreshInterval']
        .map((key) => `${key}:\n  - value: 5s\n    constraints: {}\n`)
        .join(''),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    BIND_ON_IP: '127.0.0.1',
    POSTGRES_SEEDS: pg.host,
    DB_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PWD: pg.password ?? '',
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
    LOG_LEVEL: 'warn',
  };
  // render-config reads only a config folder (<dir>/<env>.yaml): render a copy for the post-mortem, and start the
  // server on the template itself, as the compose file does.
  const configDir = path.join(workDir, 'config');
  mkdirSync(configDir, { recursive: true });
  cpSync(SERVER_CONFIG, path.join(configDir, 'cluster.yaml'));
  const rendered = await runCommand(bins.server, ['--config', configDir, '--env', 'cluster', 'render-config'], { env });
  writeFileSync(path.join(workDir, 'temporal-server.rendered.yaml'), rendered);
  await runCommand(bins.server, ['validate-dynamic-config', dynamicConfig]);

  const logFile = path.join(workDir, 'temporal-server.log');
  const out = createWriteStream(logFile);
  // Started as the temporalio/server image starts it: `start`, with the config file and no-auth named by variables.
  const child = spawn(bins.server, ['start'], {
    env: { ...env, TEMPORAL_SERVER_CONFIG_FILE_PATH: SERVER_CONFIG, TEMPORAL_ALLOW_NO_AUTH: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

  const started = Date.now();
  for (;;) {
    const early = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 500))]);
    if (early !== 'alive')
      throw new Error(`Temporal server exited (${early}):\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        const health = await connection.healthService.check({});
        if (health.status === grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) break;
      } finally {
        await connection.close();
      }
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 120_000) throw new Error(`Temporal server did not answer within 120 s; see ${logFile}`);
  }
  log(
    `Temporal server ${TEMPORAL_SERVER_VERSION} on ${address} (PostgreSQL persistence and visibility), up in ${Date.now() - started} ms`,
  );
  return {
    address,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
