import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The one place the Temporal CLI version is pinned. v1.5.1 (Temporal server 1.29.1) is the newest release whose
 * go.mod has no `replace` directive, so it is the newest that `go install` accepts.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const MIN_GO = [1, 25] as const;

/** How the dev server will be provided: a real CLI binary, or the SDK's own download as the last resort. */
export type TemporalCli = { kind: 'binary'; path: string; source: string } | { kind: 'sdk-download' };

type Env = NodeJS.ProcessEnv;

/** The per-user cache, outside any checkout, so a fresh clone (CI's included) reuses an earlier build. */
export function cliCacheDir(env: Env = process.env): string {
  const base = env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(base, 'agntix-temporal', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function onPath(env: Env): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v temporal'], { env, encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found !== '' ? found : undefined;
}

function goVersion(env: Env): [number, number] | undefined {
  const result = spawnSync('go', ['env', 'GOVERSION'], { env, encoding: 'utf8' });
  const match = /^go(\d+)\.(\d+)/.exec(result.stdout?.trim() ?? '');
  return result.status === 0 && match ? [Number(match[1]), Number(match[2])] : undefined;
}

function goIsRecentEnough(version: [number, number]): boolean {
  return version[0] > MIN_GO[0] || (version[0] === MIN_GO[0] && version[1] >= MIN_GO[1]);
}

/** Builds the CLI with `go install` into the cache, printing progress so a minutes-long first build is not silent. */
async function goInstall(targetDir: string, env: Env, log: (line: string) => void): Promise<void> {
  mkdirSync(targetDir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first time only; takes a few minutes)...`);
  const started = Date.now();
  const child = spawn('go', ['install', `${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...env, GOBIN: targetDir },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let downloads = 0;
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    downloads += (text.match(/go: downloading/g) ?? []).length;
    stderrTail = (stderrTail + text).slice(-4000);
  });
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`  still building the Temporal CLI: ${seconds}s, ${downloads} modules downloaded`);
  }, 20_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION} failed:\n${stderrTail}`);
  } finally {
    clearInterval(ticker);
  }
  log(`  built in ${Math.round((Date.now() - started) / 1000)}s: ${path.join(targetDir, 'temporal')}`);
}

/**
 * Finds or provisions the Temporal CLI, in this order: TEMPORAL_CLI, a `temporal` on PATH, the per-user cache,
 * `go install` when Go >= 1.25 is present, and last the SDK's own download (for a user with internet but no Go).
 */
export async function resolveTemporalCli(
  env: Env = process.env,
  log: (line: string) => void = (line) => console.log(line),
): Promise<TemporalCli> {
  if (env.TEMPORAL_CLI) {
    if (!existsSync(env.TEMPORAL_CLI))
      throw new Error(`TEMPORAL_CLI points at ${env.TEMPORAL_CLI}, which does not exist`);
    return { kind: 'binary', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath(env);
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'PATH' };

  const cacheDir = cliCacheDir(env);
  const cached = path.join(cacheDir, 'temporal');
  if (existsSync(cached)) return { kind: 'binary', path: cached, source: 'cache' };

  const go = goVersion(env);
  if (go && goIsRecentEnough(go)) {
    await goInstall(cacheDir, env, log);
    return { kind: 'binary', path: cached, source: 'go install' };
  }
  log(
    go
      ? `Go ${go.join('.')} is older than ${MIN_GO.join('.')}; falling back to the Temporal SDK's dev-server download.`
      : 'Neither a Temporal CLI nor Go was found; falling back to the Temporal SDK dev-server download.',
  );
  return { kind: 'sdk-download' };
}
