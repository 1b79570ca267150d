import { spawn } from 'node:child_process';

export interface ProgressRun {
  code: number | null;
  /** The last few KB of stderr, for an error message. */
  stderrTail: string;
}

export interface ProgressOptions {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** What the ticker says is still going on, e.g. "building the Temporal CLI". */
  label: string;
  /** Sees each stderr chunk, e.g. to count downloads for `detail`. */
  onStderr?: (text: string) => void;
  /** Extra detail for the ticker line. */
  detail?: () => string;
  tickMs?: number;
}

/** Runs a command that can take minutes, with a line every 20 s so a long first run is never silent. */
export async function runWithProgress(command: string, args: string[], options: ProgressOptions): Promise<ProgressRun> {
  const started = Date.now();
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    options.onStderr?.(text);
    stderr = (stderr + text).slice(-4000);
  });
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const detail = options.detail ? `, ${options.detail()}` : '';
    options.log(`  still ${options.label}: ${seconds}s${detail}`);
  }, options.tickMs ?? 20_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, stderrTail: stderr };
  } finally {
    clearInterval(ticker);
  }
}

/** Seconds since `started`, for "done in Ns" lines. */
export const secondsSince = (started: number) => Math.round((Date.now() - started) / 1000);
