import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runWithProgress, secondsSince } from './runWithProgress';
import { GO_INSTALL, TEMPORAL_SERVER_MINOR } from './temporalPins';

interface StepContext {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

function goVersion(env: NodeJS.ProcessEnv): [number, number] | undefined {
  const result = spawnSync('go', ['env', 'GOVERSION'], { env, encoding: 'utf8' });
  const match = /^go(\d+)\.(\d+)/.exec(result.stdout?.trim() ?? '');
  return result.status === 0 && match ? [Number(match[1]), Number(match[2])] : undefined;
}

function recentEnough([major, minor]: [number, number]): boolean {
  const [minMajor, minMinor] = GO_INSTALL.minGo;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/**
 * The last resort: builds the CLI from source with `go install` into `targetDir` (an earlier build there is reused).
 * Returns the binary, or undefined when Go is missing or too old; throws when the build itself fails.
 */
export async function installWithGo(targetDir: string, { env, log }: StepContext): Promise<string | undefined> {
  const binary = path.join(targetDir, 'temporal');
  if (existsSync(binary)) return binary;
  const go = goVersion(env);
  if (!go || !recentEnough(go)) {
    const need = GO_INSTALL.minGo.join('.');
    log(go ? `Go ${go.join('.')} is older than ${need}: no source build.` : `Go not found: no source build.`);
    return undefined;
  }

  const target = `${GO_INSTALL.module}@${GO_INSTALL.version}`;
  log(
    `The slow path: building the Temporal CLI ${GO_INSTALL.version} from source with go install (server ` +
      `${GO_INSTALL.serverVersion}, older than the pinned ${TEMPORAL_SERVER_MINOR}); about 9 minutes on 2 cores, once.`,
  );
  mkdirSync(targetDir, { recursive: true });
  const started = Date.now();
  let downloads = 0;
  const run = await runWithProgress('go', ['install', target], {
    env: { ...env, GOBIN: targetDir },
    log,
    label: 'building the Temporal CLI',
    onStderr: (text) => (downloads += (text.match(/go: downloading/g) ?? []).length),
    detail: () => `${downloads} modules downloaded`,
  });
  if (run.code !== 0 || !existsSync(binary)) throw new Error(`go install ${target} failed:\n${run.stderrTail}`);
  log(`  built in ${secondsSince(started)}s: ${binary}`);
  return binary;
}
