import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../src/dev/devServer';

const ROOT = path.resolve(__dirname, '../..');

/**
 * One production entry point (src/bin/*.ts) as its own process, the way an orchestrator runs it: killed on purpose
 * when the run says so and started again, and restarted as well when it exits on its own (which the run counts,
 * since no process should). Its output goes to a log file in the run's folder.
 */
export class Supervised {
  starts = 0;
  kills = 0;
  readonly unplannedExits: string[] = [];
  /** When a planned kill's downtime began, until the new process is ready. */
  private downSince?: number;
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private stopping = false;
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    /** A line the process prints once it serves (its start-up log line). */
    private readonly readyLine: RegExp,
    logDir: string,
  ) {
    this.log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  }

  /** True between a planned kill and the moment the new process is ready. */
  plannedDown(): boolean {
    return this.downSince !== undefined;
  }

  start(): Promise<void> {
    this.starts++;
    this.log.write(`\n=== ${this.name} start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, this.entry)], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr.pipe(this.log, { end: false });
    this.ready = new Promise<void>((resolve) => {
      let tail = ''; // the line may arrive split across chunks
      child.stdout.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        tail = (tail + chunk.toString()).slice(-4096);
        if (this.readyLine.test(tail)) {
          tail = '';
          this.downSince = undefined;
          resolve();
        }
      });
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.stopping) return;
      // Not asked for: note it and start again, as an orchestrator would.
      this.unplannedExits.push(`${this.name} exited (${signal ?? `code ${code}`}) at ${new Date().toISOString()}`);
      setTimeout(() => void (this.stopping || this.start()), 1000);
    });
    return this.ready;
  }

  /** Resolves once the current process is ready, or rejects after the timeout. */
  async whenReady(timeoutMs = 90_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([this.ready, timeout]).finally(() => clearTimeout(timer));
  }

  /** SIGKILL, as a crashed machine or an OOM kill would, then a fresh start after `pauseMs`. */
  async killAndRestart(pauseMs: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.kills++;
    this.downSince = Date.now();
    this.child = undefined; // its exit is ours, not an unplanned one
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, pauseMs));
    if (!this.stopping) void this.start();
  }

  /** Stops for good: SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

/**
 * The Temporal dev server, file-backed so a restart keeps every workflow, with the project's search attributes
 * (src/dev/devServer.ts). A restart stops the process (the SDK's ephemeral server is killed, not drained) and starts
 * it again on the same port and database file.
 */
export async function startTemporal(dbFilename: string) {
  const quiet = () => undefined;
  let server: DevServer | undefined = await startDevServer({ dbFilename, log: quiet });
  const address = server.address;
  const port = Number(address.split(':').pop());
  let restarts = 0;
  let stopped = false; // a restart still under way when the run stops must not leave a server behind
  return {
    address,
    get restarts() {
      return restarts;
    },
    async restart(pauseMs: number): Promise<number> {
      const started = Date.now();
      await server?.stop();
      server = undefined;
      await new Promise((r) => setTimeout(r, pauseMs));
      if (stopped) return 0;
      const next = await startDevServer({ dbFilename, port, log: quiet });
      if (stopped) await next.stop();
      else server = next;
      restarts++;
      return Date.now() - started;
    },
    async stop(): Promise<void> {
      stopped = true;
      await server?.stop();
      server = undefined;
    },
  };
}
