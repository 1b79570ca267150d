/**
 * npm run bench:memory: the worker's resident memory with many sessions open (created, waiting for their end) and
 * after they all complete. Aim: below 300 MB with 1,000 open, and flat after completion.
 */
import { writeBenchSection } from '../report';
import { machine, rssMb, sessionEvents, startStack, until } from './harness';

const OPEN = Number(process.env.BENCH_OPEN ?? 1000);
/** BENCH_MAX_CACHED=200 runs the worker with WORKER_MAX_CACHED_WORKFLOWS=200 (a bounded sticky cache). */
const MAX_CACHED = process.env.BENCH_MAX_CACHED;

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
    },
  });
  const pid = stack.worker.pid!;
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

    const lines = [
      MAX_CACHED
        ? `Command: \`BENCH_MAX_CACHED=${MAX_CACHED} npm run bench:memory\` (OPEN=${OPEN}, worker with WORKER_MAX_CACHED_WORKFLOWS=${MAX_CACHED})`
        : `Command: \`npm run bench:memory\` (OPEN=${OPEN}, default worker options)`,
      `Machine: ${machine()}`,
      '',
      '| worker RSS, MB | idle (polling) | ' + `${OPEN} sessions open` + ' | 5 s after all completed | 25 s after |',
      '| --- | --- | --- | --- | --- |',
      `| worker process | ${idle.toFixed(0)} | ${open.toFixed(0)} (aim < 300) | ${after.toFixed(0)} | ${later.toFixed(0)} |`,
    ];
    console.log(lines.join('\n'));
    if (MAX_CACHED) {
      writeBenchSection(
        'memory-bounded-cache',
        `Worker memory with open sessions, sticky cache bounded to ${MAX_CACHED}`,
        lines.join('\n'),
      );
    } else writeBenchSection('memory', 'Worker memory with open sessions', lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
