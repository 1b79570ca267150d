/**
 * npm run bench:memory: the worker's resident memory with many sessions open (created, waiting for their end) and
 * after they all complete, split into the main thread's V8 heap, the workflow thread's V8 heap and the rest (native:
 * the Rust core, code, buffers). Aim: below 300 MB with 1,000 open, and flat after completion.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { writeBenchSection } from '../report';
import { benchWorker, machine, serverVariant, sessionEvents, startStack, until } from './harness';
import type { ProbeSample } from './memoryProbe';

const OPEN = Number(process.env.BENCH_OPEN ?? 1000);
/** BENCH_MAX_CACHED=200 runs the worker with WORKER_MAX_CACHED_WORKFLOWS=200 (a bounded sticky cache). */
const MAX_CACHED = process.env.BENCH_MAX_CACHED;
/** BENCH_WORKER_HEAP_MB=384 caps the worker's V8 old space: tells live memory from garbage V8 has not yet collected. */
const HEAP_MB = process.env.BENCH_WORKER_HEAP_MB;
/** BENCH_HEAP_SNAPSHOTS=dir writes a heap snapshot of the workflow thread at each sample (slow; for diagnosis). */
const SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS;

async function deliverAll(
  events: Array<Record<string, unknown>>,
  deliver: (e: Record<string, unknown>) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < events.length) await deliver(events[next++]!);
    }),
  );
}

/** The probe is preloaded with `node -r`, also into the compiled worker, which has no ts-node: hand it plain JS. */
function probeScript(dir: string): string {
  const source = readFileSync(path.join(__dirname, 'memoryProbe.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const file = path.join(dir, 'memoryProbe.js');
  writeFileSync(file, outputText);
  return file;
}

/** Asks the worker's probe for one sample (SIGWINCH) and waits for its line. */
async function probe(pid: number, file: string): Promise<ProbeSample> {
  const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
  const before = lines().length;
  process.kill(pid, 'SIGWINCH');
  await until('the memory probe', 600_000, () => lines().length > before);
  return JSON.parse(lines().at(-1)!) as ProbeSample;
}

async function main() {
  const worker = benchWorker();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-memory-'));
  const probeFile = path.join(dir, 'probe.jsonl');
  const stack = await startStack({
    agntixLatencyMs: 5,
    receiverLatencyMs: 5,
    transcriptPages: 3,
    workerBuild: worker.build,
    workerPreload: [probeScript(dir)],
    // Long enough that no session expires while the benchmark holds it open.
    workerEnv: {
      SESSION_VOICE_TTL_SECONDS: '3600',
      BENCH_MEMORY_PROBE: probeFile,
      ...(SNAPSHOTS ? { BENCH_HEAP_SNAPSHOTS: SNAPSHOTS } : {}),
      ...(MAX_CACHED ? { WORKER_MAX_CACHED_WORKFLOWS: MAX_CACHED } : {}),
      ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
      ...worker.workerEnv,
    },
  });
  const pid = stack.worker.pid!;
  const variant = [
    worker.label,
    MAX_CACHED && `WORKER_MAX_CACHED_WORKFLOWS=${MAX_CACHED}`,
    HEAP_MB && `worker heap capped at ${HEAP_MB} MB`,
  ]
    .filter(Boolean)
    .join(', ');
  try {
    // Idle means polling: the workflow thread exists once the worker has its bundle, which may be built in-process.
    await until('the workflow thread', 120_000, async () => (await probe(pid, probeFile)).threads > 0);
    await new Promise((r) => setTimeout(r, 5000));
    const idle = await probe(pid, probeFile);
    const sessions = Array.from({ length: OPEN }, () => {
      const { created, ended } = sessionEvents();
      delete (created.metadata as { sessionVariables: Record<string, unknown> }).sessionVariables.ttl;
      return { created, ended };
    });
    await deliverAll(
      sessions.map((s) => s.created),
      stack.deliver,
    );
    await until('every session marked in flight', 600_000, () => stack.receiver.inFlight.size >= OPEN);
    await new Promise((r) => setTimeout(r, 3000));
    const open = await probe(pid, probeFile);
    await deliverAll(
      sessions.map((s) => s.ended),
      stack.deliver,
    );
    await until('every outcome', 600_000, () => stack.receiver.outcomes.size >= OPEN);
    await new Promise((r) => setTimeout(r, 5000));
    const after = await probe(pid, probeFile);
    await new Promise((r) => setTimeout(r, 20_000));
    const later = await probe(pid, probeFile);

    const command = [
      serverVariant.command.trim(),
      worker.command,
      MAX_CACHED && `BENCH_MAX_CACHED=${MAX_CACHED}`,
      HEAP_MB && `BENCH_WORKER_HEAP_MB=${HEAP_MB}`,
      'npm run bench:memory',
    ]
      .filter(Boolean)
      .join(' ');
    const mb = (n: number) => n.toFixed(0);
    const rest = (s: ProbeSample) => s.rssMb - s.rssFileMb - s.mainHeapTotalMb - s.threadHeapTotalMb;
    const row = (what: string, pick: (s: ProbeSample) => string) =>
      `| ${what} | ${[idle, open, after, later].map(pick).join(' | ')} |`;
    const perSession = (pick: (s: ProbeSample) => number) => (((pick(open) - pick(idle)) * 1024) / OPEN).toFixed(0);
    const lines = [
      `Command: \`${command}\` (OPEN=${OPEN}, ${variant})`,
      `Machine: ${machine()}; load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`,
      '',
      `| worker, MB | idle (polling) | ${OPEN} sessions open | 5 s after all completed | 25 s after |`,
      '| --- | --- | --- | --- | --- |',
      `| RSS | ${mb(idle.rssMb)} | ${mb(open.rssMb)} (aim < 300) | ${mb(after.rssMb)} | ${mb(later.rssMb)} |`,
      row('main thread V8 heap, used / total', (s) => `${mb(s.mainHeapUsedMb)} / ${mb(s.mainHeapTotalMb)}`),
      row('workflow thread V8 heap, used / total', (s) => `${mb(s.threadHeapUsedMb)} / ${mb(s.threadHeapTotalMb)}`),
      row('mapped files (node, the SDK native library)', (s) => mb(s.rssFileMb)),
      row('rest: native heap (Rust core, buffers), V8 code', (s) => mb(rest(s))),
      '',
      `Per open session: ${perSession((s) => s.rssMb)} KB of RSS, ` +
        `${perSession((s) => s.threadHeapUsedMb)} KB of workflow-thread heap in use, ` +
        `${perSession((s) => s.mainHeapUsedMb)} KB of main-thread heap in use, ${perSession(rest)} KB native.`,
    ];
    console.log(lines.join('\n'));
    const key = [
      `memory-where${serverVariant.key}`,
      OPEN !== 1000 && `open-${OPEN}`,
      worker.build === 'compiled' && 'compiled',
      MAX_CACHED && `cache-${MAX_CACHED}`,
      HEAP_MB && `heap-${HEAP_MB}`,
      worker.key,
    ]
      .filter(Boolean)
      .join('-');
    writeBenchSection(key, `Where the worker's memory goes${serverVariant.title}, ${variant}`, lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
