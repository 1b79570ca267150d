import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

/** The service's real entry points, run as separate processes. The one place their paths are named. */
export const ENTRY_POINTS = {
  api: 'src/bin/api.ts',
  worker: 'src/bin/worker.ts',
  setup: 'src/bin/setup.ts',
  migrate: 'src/bin/migrate.ts',
} as const;

export interface AppProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Settles with the exit code, or the signal that ended it. */
  exited: Promise<number | string>;
  logFile: string;
  stop(): Promise<void>;
}

/** Runs an entry point as `ts-node --transpile-only` would, in this process's Node, logging to a file. */
export function startEntryPoint(
  name: string,
  entry: keyof typeof ENTRY_POINTS,
  env: NodeJS.ProcessEnv,
  logDir: string,
): AppProcess {
  const logFile = path.join(logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ENTRY_POINTS[entry]], {
    cwd: repoRoot,
    env: { ...env, TS_NODE_PROJECT: path.join(repoRoot, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls a URL until it answers 200; fails early if the process behind it exits. */
export async function waitForHttp(url: string, process: AppProcess | undefined, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let exitedWith: number | string | undefined;
  void process?.exited.then((code) => (exitedWith = code));
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${process?.name} exited (${exitedWith}); see ${process?.logFile}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${process ? `; see ${process.logFile}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
