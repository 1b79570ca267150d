/**
 * npm run bench:pipeline: sessions per second that one worker process carries end to end (session.created and
 * session.ended through the webhook API, a transcript of three pages from the Agntix API, the outcome written to
 * two external systems), the time from session.ended's acknowledgement to the outcome arriving at the receiver,
 * and the worker's CPU seconds per session.
 */
import { writeBenchSection } from '../report';
import {
  benchWorker,
  cpuSeconds,
  machine,
  percentile,
  serverVariant,
  sessionEvents,
  startStack,
  until,
} from './harness';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 400);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 40);
const AGNTIX_MS = Number(process.env.BENCH_AGNTIX_LATENCY_MS ?? 40);
const RECEIVER_MS = Number(process.env.BENCH_RECEIVER_LATENCY_MS ?? 60);

async function main() {
  const worker = benchWorker();
  const stack = await startStack({
    agntixLatencyMs: AGNTIX_MS,
    receiverLatencyMs: RECEIVER_MS,
    transcriptPages: 3,
    workerBuild: worker.build,
    workerEnv: worker.workerEnv,
  });
  try {
    const endedAckAt = new Map<string, number>();
    const run = async (n: number) => {
      const events = Array.from({ length: n }, sessionEvents);
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < events.length) {
            const { created, ended } = events[next++]!;
            await stack.deliver(created);
            await stack.deliver(ended);
            endedAckAt.set(String(ended.id), performance.now());
            // Closed loop: a slot frees when its session's outcome is recorded, so the worker sets the pace.
            await until('the outcome', 300_000, () => stack.receiver.outcomes.has(String(ended.id)));
          }
        }),
      );
      return events.map((e) => String(e.ended.id));
    };

    await run(40); // warm-up: bundle, JIT, sticky cache, connections
    const cpu0 = cpuSeconds(stack.worker.pid!);
    const t0 = performance.now();
    const ids = await run(SESSIONS);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(stack.worker.pid!) - cpu0;
    const lag = ids.map((id) => stack.receiver.outcomes.get(id)! - endedAckAt.get(id)!).sort((a, b) => a - b);

    const lines = [
      `Command: \`${serverVariant.command}${[worker.command, 'npm run bench:pipeline'].filter(Boolean).join(' ')}\` (${worker.label}, SESSIONS=${SESSIONS}, ${IN_FLIGHT} sessions in flight, Agntix API answers after ${AGNTIX_MS} ms, the outcome webhook after ${RECEIVER_MS} ms, 3 transcript pages, sinks: outcome webhook + SQLite)`,
      `Machine: ${machine()}; the API, the worker, the dev server and this driver share the cores.`,
      '',
      '| completed sessions/s | session.ended → outcome recorded p50 ms | p99 ms | worker CPU s per session |',
      '| --- | --- | --- | --- |',
      `| ${(SESSIONS / seconds).toFixed(1)} | ${percentile(lag, 50).toFixed(0)} | ${percentile(lag, 99).toFixed(0)} | ${(cpu / SESSIONS).toFixed(4)} |`,
    ];
    console.log(lines.join('\n'));
    const variant = worker.build === 'compiled' || worker.key ? `, ${worker.label}` : '';
    const key = [
      `pipeline${serverVariant.key}`,
      worker.build === 'compiled' && 'compiled',
      IN_FLIGHT !== 40 && `in-flight-${IN_FLIGHT}`,
      worker.key,
    ]
      .filter(Boolean)
      .join('-');
    writeBenchSection(key, `Sessions per worker, end to end${serverVariant.title}${variant}`, lines.join('\n'));
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
