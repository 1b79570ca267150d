/**
 * npm run bench:ingest-busy: the webhook API's acknowledgement latency at a steady 50 deliveries/s while the worker
 * is kept saturated by end-to-end sessions, the API and the worker being separate processes on the file-backed dev
 * server `npm start` runs. Aim: p99 under 100 ms.
 */
import { writeBenchSection } from '../report';
import { benchWorker, machine, percentile, serverVariant, sessionEvents, startStack, until } from './harness';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);
const BACKGROUND_IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 40);

async function main() {
  const worker = benchWorker();
  const stack = await startStack({
    agntixLatencyMs: 40,
    receiverLatencyMs: 60,
    transcriptPages: 3,
    workerBuild: worker.build,
    workerEnv: worker.workerEnv,
  });
  let busy = true;
  try {
    // The background load: sessions end to end, as many in flight as the worker will take.
    const background = Promise.all(
      Array.from({ length: BACKGROUND_IN_FLIGHT }, async () => {
        while (busy) {
          const { created, ended } = sessionEvents();
          await stack.deliver(created);
          await stack.deliver(ended);
          // As in bench:pipeline, a slot frees when the outcome is recorded: the worker, not the driver, sets the pace.
          await until('the outcome', 300_000, () => !busy || stack.receiver.outcomes.has(String(ended.id)));
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 10_000)); // let the worker reach saturation

    const latencies: number[] = [];
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: RATE * SECONDS }, async (_, i) => {
        const due = started + (i * 1000) / RATE;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        const { status, ms } = await stack.deliver(sessionEvents().created);
        if (status !== 200) failures += 1;
        latencies.push(ms);
      }),
    );
    busy = false;
    await background;
    latencies.sort((a, b) => a - b);

    const lines = [
      `Command: \`${serverVariant.command}${[worker.command, 'npm run bench:ingest-busy'].filter(Boolean).join(' ')}\` (${worker.label}, ${RATE} deliveries/s for ${SECONDS} s, while ${BACKGROUND_IN_FLIGHT} end-to-end sessions at a time keep the worker busy)`,
      `Machine: ${machine()}`,
      '',
      '| ack latency while the worker is saturated | p50 ms | p95 ms | p99 ms (aim < 100) | non-200 |',
      '| --- | --- | --- | --- | --- |',
      `| POST /webhooks/agntix | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 95).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${failures} |`,
    ];
    console.log(lines.join('\n'));
    const variant = worker.build === 'compiled' || worker.key ? `, ${worker.label}` : '';
    const key = [`ingest-busy${serverVariant.key}`, worker.build === 'compiled' && 'compiled', worker.key]
      .filter(Boolean)
      .join('-');
    writeBenchSection(key, `Ingest while the worker is busy${serverVariant.title}${variant}`, lines.join('\n'));
  } finally {
    busy = false;
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
