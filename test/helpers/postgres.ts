import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './freePort';

const run = promisify(execFile);

/** A PostgreSQL cluster in a temp folder, on a free port of 127.0.0.1, removed on stop. */
export interface ThrowawayPostgres {
  host: string;
  port: number;
  /** A connection URL for one database of the cluster (trust authentication, user postgres). */
  url(database?: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Where the PostgreSQL server binaries are: PG_BINDIR, else `pg_config --bindir` (Debian's wrapper points at the
 * newest installed server), else the newest /usr/lib/postgresql/<n>/bin.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.PG_BINDIR) candidates.push(env.PG_BINDIR);
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config: look in Debian's layout below
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries not found (initdb, pg_ctl): install them (apt-get install postgresql-15) or set PG_BINDIR',
    );
  }
  return found;
}

/**
 * initdb refuses to run as root, so under root (CI) the cluster belongs to the `postgres` user that Debian's
 * packages create, and its commands run through runuser.
 */
function runAs(): { user?: string; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { user: 'postgres', uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root and there is no `postgres` user to own a throwaway cluster');
  }
}

/**
 * Starts a throwaway cluster: initdb in a temp folder, pg_ctl start on a free port, unix socket in the same folder.
 * Durability settings are off (fsync, synchronous commit): the data dies with the test run anyway.
 */
export async function startThrowawayPostgres(
  options: { log?: (line: string) => void } = {},
): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const owner = runAs();
  const dir = mkdtempSync(path.join(tmpdir(), 'agntix-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (owner.uid !== undefined && owner.gid !== undefined) chownSync(dir, owner.uid, owner.gid);
  const pg = (tool: string, args: string[]) =>
    owner.user
      ? run('runuser', ['-u', owner.user, '--', path.join(bin, tool), ...args], { cwd: dir })
      : run(path.join(bin, tool), args, { cwd: dir });

  const started = Date.now();
  await pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    try {
      await pg('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start']);
      break;
    } catch (err) {
      // Another process may have taken the free port between the probe and the bind: try another once.
      if (attempt >= 2) {
        const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
        throw new Error(`PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}\n${tail}`);
      }
    }
  }
  options.log?.(`PostgreSQL (${bin}) on 127.0.0.1:${port}, started in ${Date.now() - started} ms`);

  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unique database name for one test file. */
export const uniqueDatabaseName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();

/**
 * PostgreSQL for one test file: a fresh database on the suite's cluster when a global setup started one
 * (TEST_POSTGRES_ADMIN_URL, a URL of its `postgres` database), else a throwaway cluster of the file's own.
 */
export async function postgresForTest(prefix: string): Promise<{ url: string; stop(): Promise<void> }> {
  const name = uniqueDatabaseName(prefix);
  const admin = process.env.TEST_POSTGRES_ADMIN_URL;
  if (admin) {
    const client = new Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return { url: url.toString(), stop: () => Promise.resolve() };
  }
  const cluster = await startThrowawayPostgres();
  return { url: await cluster.createDatabase(name), stop: () => cluster.stop() };
}
