import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { Webhook } from 'svix';
import { startDevServer } from '../../src/dev/devServer';
import { example } from '../../src/dev/examples';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { listenOnLoopback } from '../../src/dev/sandbox/loopbackServer';
import { newSecret, sign } from '../../src/dev/signing';
import { sendSigned } from '../sendSigned';
import { provisionCluster } from '../../test/cluster/provision';
import { TEMPORAL_SERVER_VERSION } from '../../test/cluster/temporalServer';

/*
 * The stack as deployed, on one machine, for the pipeline benchmarks: a Temporal (by default the file-backed dev
 * server `npm start` runs; BENCH_TEMPORAL below), the webhook API and one worker as separate processes, the fake
 * Agntix API and an outcome webhook receiver as local HTTP servers that answer after a realistic latency.
 */

const API_KEY = 'pk_bench';
const ROOT = path.resolve(__dirname, '../..');

export interface Stack {
  server: { address: string; stop(): Promise<void> };
  agntix: FakeAgntix;
  receiver: Receiver;
  apiUrl: string;
  worker: ChildProcess;
  api: ChildProcess;
  /** Signs and POSTs one event as Svix does; resolves with the status and the ack latency in ms. */
  deliver(event: Record<string, unknown>): Promise<{ status: number; ms: number }>;
  stop(): Promise<void>;
}

export interface Receiver {
  url: string;
  /** When each session's completed (or expired) outcome arrived, by session id. */
  outcomes: Map<string, number>;
  /** Sessions whose in-flight mark arrived. */
  inFlight: Set<string>;
  close(): Promise<void>;
}

/** A signed-webhook receiver that answers 204 after `latencyMs`, like a CRM middleware on the other side of a network. */
async function startReceiver(secret: string, latencyMs: number): Promise<Receiver> {
  const webhook = new Webhook(secret);
  const outcomes = new Map<string, number>();
  const inFlight = new Set<string>();
  const { server, url, close } = await listenOnLoopback((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        try {
          const raw = Buffer.concat(chunks);
          webhook.verify(raw, req.headers as Record<string, string>);
          const body = JSON.parse(raw.toString('utf8')) as { type: string; data: { sessionId?: string } };
          const sessionId = body.data.sessionId;
          if (sessionId && (body.type === 'session.completed' || body.type === 'session.expired')) {
            if (!outcomes.has(sessionId)) outcomes.set(sessionId, performance.now());
          }
          if (sessionId && body.type === 'session.in-flight') inFlight.add(sessionId);
          res.writeHead(204).end();
        } catch {
          res.writeHead(401).end();
        }
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 65_000;
  return { url: `${url}/outcomes`, outcomes, inFlight, close };
}

/** How the worker runs: under ts-node from src/ (as `npm run start:worker`), or compiled (dist/, as the image runs it). */
export type WorkerBuild = 'ts-node' | 'compiled';

/**
 * The worker a benchmark runs: BENCH_WORKER=compiled builds (`npm run build`) and runs dist/bin/worker.js, as the
 * image does (default: ts-node); BENCH_WORKER_ENV='MALLOC_ARENA_MAX=2 WORKER_MAX_CACHED_WORKFLOWS=100' adds settings
 * to its environment (space-separated NAME=value, no spaces in a value). `command` and `label` say so in the
 * figures; `key` (the settings, without the build) tells each combination's section apart.
 */
export function benchWorker(env: NodeJS.ProcessEnv = process.env) {
  const build: WorkerBuild = env.BENCH_WORKER === 'compiled' ? 'compiled' : 'ts-node';
  const settings = (env.BENCH_WORKER_ENV ?? '').split(' ').filter(Boolean);
  const workerEnv = Object.fromEntries(
    settings.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  if (build === 'compiled') execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  return {
    build,
    workerEnv,
    command: [
      build === 'compiled' && 'BENCH_WORKER=compiled',
      settings.length && `BENCH_WORKER_ENV='${settings.join(' ')}'`,
    ]
      .filter(Boolean)
      .join(' '),
    label: [
      `worker ${build === 'compiled' ? 'compiled (dist/, as the image runs it)' : 'under ts-node'}`,
      ...settings,
    ].join(', '),
    key: settings.map((p) => p.toLowerCase().replace(/[^a-z0-9]+/g, '-')).join('-'),
  };
}

/**
 * BENCH_WORKER_NICE=19 runs the worker at the lowest CPU priority: on one host it stands in for a worker on cores of
 * its own, so the API and Temporal are not starved by it (the deployed topology puts them on separate machines).
 */
const WORKER_NICE = process.env.BENCH_WORKER_NICE;

function spawnEntry(entry: string, env: NodeJS.ProcessEnv, preload: string[] = [], nice?: string): ChildProcess {
  const args = entry.endsWith('.js') ? [] : ['-r', 'ts-node/register/transpile-only'];
  const command = [process.execPath, ...args, ...preload.flatMap((p) => ['-r', p]), path.join(ROOT, entry)];
  // nice execs the command, so the child's pid stays the worker's (its CPU time and RSS are read by pid).
  const [file, ...argv] = nice ? ['nice', '-n', nice, ...command] : command;
  return spawn(file!, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Which Temporal the stack runs on. By default the dev server with its SQLite file, as `npm start` runs it;
 * BENCH_TEMPORAL=memory runs it without the file, and BENCH_TEMPORAL=cluster runs the Temporal server built from
 * source on PostgreSQL, as `npm run test:cluster` provisions it (the deployed topology). Side by side, they show how
 * much of a figure is Temporal's persistence rather than this service.
 */
const TEMPORAL = process.env.BENCH_TEMPORAL ?? 'file';
if (!['file', 'memory', 'cluster'].includes(TEMPORAL)) {
  throw new Error(`BENCH_TEMPORAL must be file, memory or cluster, not ${TEMPORAL}`);
}
const TEMPORAL_NAMES: Record<string, string> = {
  file: 'Temporal dev server (file-backed, as npm start runs it)',
  memory: 'Temporal dev server (in memory: BENCH_TEMPORAL=memory)',
  cluster: `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL 15 (BENCH_TEMPORAL=cluster, as deployed)`,
};
/** The key suffix, title suffix and command prefix of a bench section, by the Temporal it ran on. */
const temporalVariant =
  TEMPORAL === 'file'
    ? { key: '', title: '', command: '' }
    : {
        key: `-${TEMPORAL === 'memory' ? 'in-memory-server' : 'cluster'}`,
        title: TEMPORAL === 'memory' ? ', dev server in memory' : `, Temporal server on PostgreSQL`,
        command: `BENCH_TEMPORAL=${TEMPORAL} `,
      };
/** The same, with the worker's CPU priority when BENCH_WORKER_NICE sets one. */
export const serverVariant = process.env.BENCH_WORKER_NICE
  ? {
      key: `${temporalVariant.key}-worker-nice-${process.env.BENCH_WORKER_NICE}`,
      title: `${temporalVariant.title}, worker at nice ${process.env.BENCH_WORKER_NICE}`,
      command: `${temporalVariant.command}BENCH_WORKER_NICE=${process.env.BENCH_WORKER_NICE} `,
    }
  : temporalVariant;

/** The Temporal the stack talks to: its frontend's address, and how to stop it. */
async function startTemporal(data: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (TEMPORAL === 'cluster') {
    const cluster = await provisionCluster(data, () => undefined);
    return { address: cluster.temporal.address, stop: () => cluster.stop() };
  }
  return startDevServer({
    ...(TEMPORAL === 'memory' ? {} : { dbFilename: path.join(data, 'temporal.db') }),
    log: () => undefined,
  });
}

/** Starts the whole stack. Latencies are one-way answers of the peers, in ms. */
export async function startStack(options: {
  agntixLatencyMs: number;
  receiverLatencyMs: number;
  transcriptPages: number;
  workerEnv?: NodeJS.ProcessEnv;
  /** Compiled runs dist/bin/worker.js: build it first (`npm run build`). */
  workerBuild?: WorkerBuild;
  /** Plain JS modules the worker process loads first (`node -r`), such as the memory probe. */
  workerPreload?: string[];
}): Promise<Stack> {
  const data = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
  const server = await startTemporal(data);
  const agntix = await startFakeAgntix({ apiKey: API_KEY, pageSize: 4, latencyMs: options.agntixLatencyMs });
  const outcomeSecret = newSecret();
  const receiver = await startReceiver(outcomeSecret, options.receiverLatencyMs);
  const secret = newSecret();
  const port = 3900 + Math.floor(Math.random() * 90);
  const common = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'bench-pipeline',
    AGNTIX_WEBHOOK_SECRET: secret,
    AGNTIX_API_URL: agntix.url,
    AGNTIX_API_KEY: API_KEY,
    OUTCOME_WEBHOOK_URL: receiver.url,
    OUTCOME_WEBHOOK_SECRET: outcomeSecret,
    OUTCOME_SQLITE_PATH: path.join(data, 'outcomes.sqlite'),
    TRANSCRIPT_DIR: path.join(data, 'transcripts'),
    DATA_DIR: data,
    LOG_LEVEL: 'warn',
    // Several workers share this host (and other runs may): none serves the metrics port it does not need.
    WORKER_METRICS_PORT: 'off',
  };
  const workerEntry = options.workerBuild === 'compiled' ? 'dist/bin/worker.js' : 'src/bin/worker.ts';
  const worker = spawnEntry(workerEntry, { ...common, ...options.workerEnv }, options.workerPreload, WORKER_NICE);
  const api = spawnEntry('src/bin/api.ts', { ...common, PORT: String(port) });
  const apiUrl = `http://127.0.0.1:${port}`;
  await until('the API to be ready', 60_000, () =>
    fetch(`${apiUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    ),
  );

  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const messages = Array.from({ length: options.transcriptPages * 4 }, (_, i) => ({
    id: `msg_${i}`,
    role: i % 2 ? 'ASSISTANT' : 'USER',
    content: `turn ${i}`,
    createdAt: new Date().toISOString(),
  }));

  const deliver = (event: Record<string, unknown>) => {
    if (event.eventType === 'session.created') agntix.sessions.set(String(event.id), { messages });
    const delivery = sign(secret, event);
    const t0 = performance.now();
    return sendSigned(`${apiUrl}/webhooks/agntix`, delivery, agent).then((status) => ({
      status,
      ms: performance.now() - t0,
    }));
  };

  return {
    server,
    agntix,
    receiver,
    apiUrl,
    worker,
    api,
    deliver,
    async stop() {
      for (const child of [api, worker]) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        child.kill('SIGKILL');
      }
      agent.destroy();
      await agntix.close();
      await receiver.close();
      await server.stop();
    },
  };
}

/** A session's two webhooks, from the examples, under a fresh id; the customer asks for no callback. */
export function sessionEvents(): { created: Record<string, unknown>; ended: Record<string, unknown> } {
  const id = randomUUID();
  const created = { ...example('session-created.voice-outbound.json'), id };
  const ended = example<Record<string, unknown> & { analysis: { extractedData: Record<string, unknown> } }>(
    'session-ended.voice-callback-requested.json',
  );
  ended.analysis.extractedData = { ...ended.analysis.extractedData, callbackRequested: false };
  return { created, ended: { ...ended, id } };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? NaN) / 1024;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export const machine = () =>
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
  `${TEMPORAL_NAMES[TEMPORAL]}, run ${new Date().toISOString().slice(0, 10)}`;

export { until };
