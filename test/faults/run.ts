/**
 * npm run test:faults: the promises of issue #12 ("nothing lost, nothing done twice") under duplicates, faults and
 * hostile input, in one run against the real API and worker processes on a real Temporal dev server.
 *
 * Sessions are delivered as Svix delivers them (each event several times, shuffled, retried); the fake Agntix fails
 * a share of transcript pages and calls/start answers, the outcome receiver a share of posts; the worker is
 * SIGKILLed, the API too, and Temporal restarted, all mid-traffic; forged, stale, tampered and fuzzed deliveries are
 * mixed in. Then it waits (bounded) for every workflow to close, checks each promise, prints the figures, writes
 * them to docs/reliability.md and exits non-zero if any promise broke. Every child process is stopped on any exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tryAfterlife } from './afterlife';
import { evaluate, type Check } from './checks';
import { runChaos, watchLiveness } from './chaos';
import { figuresOf, sampleLoad } from './figures';
import { hostileTraffic } from './hostile';
import { drain, faultsHappened, observe } from './observe';
import { planSessions } from './plan';
import { diceFor } from './random';
import { render, writeReliabilityDoc } from './report';
import { startRig, Teardown } from './rig';
import { faultSettings } from './settings';
import { playTraffic } from './traffic';

const seconds = (from: number) => Math.round((Date.now() - from) / 1000);
const teardown = new Teardown();

async function main(): Promise<boolean> {
  const settings = faultSettings();
  const runDir = mkdtempSync(path.join(tmpdir(), 'agntix-faults-'));
  const started = new Date();
  const t0 = Date.now();
  console.log(`Fault run, seed ${settings.seed} (FAULTS_SEED replays it); processes' logs in ${runDir}`);

  const rig = await startRig(settings, runDir, teardown);
  const setupSeconds = seconds(t0);
  console.log(`Set up in ${setupSeconds}s: API ${rig.apiUrl}, Temporal ${rig.temporal.address}, zone ${rig.timeZone}`);

  const dice = diceFor(settings.seed, 'plan');
  const planned = planSessions(settings, dice);
  const hostile = hostileTraffic(rig.secret, planned, settings, dice);
  const liveness = watchLiveness(rig);
  teardown.add(() => liveness.stop());
  const load = sampleLoad();
  teardown.add(() => Promise.resolve(load.stop()));
  console.log(
    `Traffic: ${planned.length} sessions and ${hostile.length} hostile deliveries over ${settings.trafficSeconds}s`,
  );
  const t1 = Date.now();
  const [chaos] = await Promise.all([
    runChaos(rig, settings),
    playTraffic({ sessions: planned, hostile, svix: rig.svix, fake: rig.fake, secret: rig.secret }),
  ]);
  const trafficSeconds = seconds(t1);

  const t2 = Date.now();
  const client = await rig.client();
  const stillRunning = await drain(rig, client, planned, t2 + settings.drainSeconds * 1000);
  const drainSeconds = seconds(t2);
  await liveness.stop();
  load.stop();

  const t3 = Date.now();
  const observed = await observe(
    rig,
    client,
    planned,
    stillRunning,
    liveness.figures,
    faultsHappened(settings, rig, chaos, planned),
  );
  const checks = evaluate(observed);
  const checksSeconds = seconds(t3);

  // Last, since they start runs again: what erasure, retention, resets and hostile sockets must not undo.
  const t4 = Date.now();
  console.log('Promises that outlive the workflow:');
  const afterlife = await tryAfterlife(rig, client, planned);
  checks.push(...afterlife.checks);
  const figures = figuresOf(settings, rig, observed, chaos, liveness.figures, load.figures, {
    setup: setupSeconds,
    traffic: trafficSeconds,
    drain: drainSeconds,
    checks: checksSeconds,
    afterlife: seconds(t4),
    total: seconds(t0),
  });
  figures.push(afterlife.figures);
  console.log(`\n${render(figures, checks)}`);
  writeReliabilityDoc(figures, checks, started, 'npm run test:faults');
  const passed = checks.every((c: Check) => c.violations === 0);
  if (passed) rmSync(runDir, { recursive: true, force: true });
  else console.log(`Logs, the Temporal database and the outcome store are kept in ${runDir}`);
  return passed;
}

async function exit(code: number): Promise<never> {
  await teardown.run();
  process.exit(code);
}

const limit = faultSettings().hardLimitSeconds;
setTimeout(() => {
  console.error(`Fault run exceeded its hard limit of ${limit}s: stopping everything.`);
  void exit(3);
}, limit * 1000).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void exit(130));

main().then(
  (passed) => exit(passed ? 0 : 1),
  (err: unknown) => {
    console.error('Fault run failed to complete:', err);
    return exit(2);
  },
);
