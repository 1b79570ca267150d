/**
 * Preloaded into the benchmark's worker (`-r`), never into the service: says where the worker's resident memory is.
 * On SIGWINCH (ignored by default; the Temporal runtime takes SIGUSR2 as a shutdown signal) it appends one JSON line
 * to BENCH_MEMORY_PROBE: RSS, the main thread's V8 heap, each workflow thread's V8 heap (the SDK runs workflows in
 * worker threads, whose isolates `process.memoryUsage()` does not count) and the rest, which is native (the Rust core,
 * buffers, code). With BENCH_HEAP_SNAPSHOTS set to a folder it also writes a heap snapshot of each workflow thread
 * there, to see what one open session holds.
 */
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import workerThreads from 'node:worker_threads';

const out = process.env.BENCH_MEMORY_PROBE;
const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
const threads = new Set<workerThreads.Worker>();
const MB = 2 ** 20;

// The SDK creates its workflow threads with `new worker_threads.Worker(...)`, read at call time: track each one.
const Original = workerThreads.Worker;
class TrackedWorker extends Original {
  constructor(...args: ConstructorParameters<typeof Original>) {
    super(...args);
    threads.add(this);
    this.once('exit', () => threads.delete(this));
  }
}
(workerThreads as { Worker: typeof Original }).Worker = TrackedWorker;

export interface ProbeSample {
  rssMb: number;
  /** The part of RSS that maps files: the node binary, the SDK's native library and other code. */
  rssFileMb: number;
  mainHeapUsedMb: number;
  mainHeapTotalMb: number;
  externalMb: number;
  threadHeapUsedMb: number;
  threadHeapTotalMb: number;
  threads: number;
}

const statusKb = (field: string) =>
  Number(
    readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`))
      ?.replace(/\D+/g, '') ?? NaN,
  );

async function sample(n: number): Promise<ProbeSample> {
  const usage = process.memoryUsage();
  const main = v8.getHeapStatistics();
  const stats = await Promise.all([...threads].map((t) => t.getHeapStatistics()));
  const sum = (pick: (s: v8.HeapInfo) => number) => stats.reduce((n, s) => n + pick(s), 0) / MB;
  if (snapshots) {
    let i = 0;
    for (const t of threads) {
      const file = path.join(snapshots, `sample${n}-thread${i++}.heapsnapshot`);
      await pipeline(await t.getHeapSnapshot(), createWriteStream(file));
    }
  }
  return {
    rssMb: usage.rss / MB,
    rssFileMb: statusKb('RssFile') / 1024,
    mainHeapUsedMb: main.used_heap_size / MB,
    mainHeapTotalMb: main.total_heap_size / MB,
    externalMb: usage.external / MB,
    threadHeapUsedMb: sum((s) => s.used_heap_size),
    threadHeapTotalMb: sum((s) => s.total_heap_size),
    threads: stats.length,
  };
}

let samples = 0;
if (out) {
  process.on('SIGWINCH', () => {
    void sample(samples++).then(
      (s) => appendFileSync(out, JSON.stringify(s) + '\n'),
      (err: unknown) => appendFileSync(out, JSON.stringify({ error: String(err) }) + '\n'),
    );
  });
}
