/**
 * npm run bench:memory: the worker's resident memory with many sessions open (created, waiting for their end) and
 * after they all complete. Aim: below 300 MB with 1,000 open, and flat after completion.
 */
import { writeBenchSection } from '../report';
import { machine, rssMb, sessionEvents, startStack, until } from './harness';

const OPEN = Number(process.env.BENCH_OPEN ?? 1000);

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
    workerEnv: { SESSION_VOICE_TTL_SECONDS: '3600' },
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
      `Command: \`npm run bench:memory\` (OPEN=${OPEN}, default worker options)`,
      `Machine: ${machine()}`,
      '',
      '| worker RSS, MB | idle (polling) | ' + `${OPEN} sessions open` + ' | 5 s after all completed | 25 s after |',
      '| --- | --- | --- | --- | --- |',
      `| worker process | ${idle.toFixed(0)} | ${open.toFixed(0)} (aim < 300) | ${after.toFixed(0)} | ${later.toFixed(0)} |`,
    ];
    console.log(lines.join('\n'));
    writeBenchSection('memory', 'Worker memory with open sessions', lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
