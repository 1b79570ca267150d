/**
 * npm run bench:memory: the worker's resident memory with many sessions open (created, waiting for their end) and
 * after they all complete. Aim: below 300 MB with 1,000 open, and flat after completion.
 */
import { loadavg } from 'node:os';
import { writeBenchSection } from '../report';
import { machine, rssMb, sessionEvents, startStack, until } from './harness';

const OPEN = Number(process.env.BENCH_OPEN ?? 1000);
/** BENCH_MAX_CACHED=200 runs the worker with WORKER_MAX_CACHED_WORKFLOWS=200 (a bounded sticky cache). */
const MAX_CACHED = process.env.BENCH_MAX_CACHED;
/** BENCH_WORKER_HEAP_MB=384 caps the worker's V8 old space: tells live memory from garbage V8 has not yet collected. */
const HEAP_MB = process.env.BENCH_WORKER_HEAP_MB;

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

async function main() {
  const stack = await startStack({
    agntixLatencyMs: 5,
    receiverLatencyMs: 5,
    transcriptPages: 3,
    // Long enough that no session expires while the benchmark holds it open.
    workerEnv: {
      SESSION_VOICE_TTL_SECONDS: '3600',
      ...(MAX_CACHED ? { WORKER_MAX_CACHED_WORKFLOWS: MAX_CACHED } : {}),
      ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
    },
  });
  const pid = stack.worker.pid!;
  const variant = [
    MAX_CACHED && `WORKER_MAX_CACHED_WORKFLOWS=${MAX_CACHED}`,
    HEAP_MB && `worker heap capped at ${HEAP_MB} MB`,
  ]
    .filter(Boolean)
    .join(', ');
  try {
    const idle = rssMb(pid);
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
    const open = rssMb(pid);
    await deliverAll(
      sessions.map((s) => s.ended),
      stack.deliver,
    );
    await until('every outcome', 600_000, () => stack.receiver.outcomes.size >= OPEN);
    await new Promise((r) => setTimeout(r, 5000));
    const after = rssMb(pid);
    await new Promise((r) => setTimeout(r, 20_000));
    const later = rssMb(pid);

    const command = [
      MAX_CACHED && `BENCH_MAX_CACHED=${MAX_CACHED}`,
      HEAP_MB && `BENCH_WORKER_HEAP_MB=${HEAP_MB}`,
      'npm run bench:memory',
    ]
      .filter(Boolean)
      .join(' ');
    const lines = [
      `Command: \`${command}\` (OPEN=${OPEN}, worker options: ${variant || 'defaults'})`,
      `Machine: ${machine()}; load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`,
      '',
      '| worker RSS, MB | idle (polling) | ' + `${OPEN} sessions open` + ' | 5 s after all completed | 25 s after |',
      '| --- | --- | --- | --- | --- |',
      `| worker process | ${idle.toFixed(0)} | ${open.toFixed(0)} (aim < 300) | ${after.toFixed(0)} | ${later.toFixed(0)} |`,
    ];
    console.log(lines.join('\n'));
    const key = ['memory', MAX_CACHED && 'bounded-cache', HEAP_MB && 'heap-cap'].filter(Boolean).join('-');
    writeBenchSection(key, `Worker memory with open sessions${variant ? `, ${variant}` : ''}`, lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
