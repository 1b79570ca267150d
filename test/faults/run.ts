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
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { evaluate, type Check, type Observed } from './checks';
import { runChaos, watchLiveness, type ChaosEvent } from './chaos';
import { hostileTraffic } from './hostile';
import { planSessions, type PlannedSession } from './plan';
import { diceFor } from './random';
import { render, writeReliabilityDoc, type Figures } from './report';
import { startRig, Teardown, type Rig } from './rig';
import { faultSettings, type FaultSettings } from './settings';
import { type DeliveryClass } from './svix';
import { playTraffic } from './traffic';
import {
  describeRun,
  followUpRuns,
  historyFacts,
  mapLimited,
  rootOfFollowUp,
  runningIds,
  sessionRuns,
  type Run,
} from './temporalView';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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
  const figures = figuresOf(settings, rig, observed, chaos, liveness.figures, load.figures, {
    setup: setupSeconds,
    traffic: trafficSeconds,
    drain: drainSeconds,
    checks: seconds(t3),
    total: seconds(t0),
  });
  console.log(`\n${render(figures, checks)}`);
  writeReliabilityDoc(figures, checks, started, 'npm run test:faults');
  const passed = checks.every((c: Check) => c.violations === 0);
  if (passed) rmSync(runDir, { recursive: true, force: true });
  else console.log(`Logs, the Temporal database and the outcome store are kept in ${runDir}`);
  return passed;
}

/** The machine's 1-minute load average while the run lasts: the figures mean little on a machine busy elsewhere. */
function sampleLoad() {
  const figures = { atStart: loadavg()[0]!, max: loadavg()[0]! };
  const timer = setInterval(() => (figures.max = Math.max(figures.max, loadavg()[0]!)), 5000);
  return { figures, stop: () => clearInterval(timer) };
}

/** Waits until no workflow of the run is open and Svix has nothing left to deliver, or the deadline passes. */
async function drain(rig: Rig, client: Client, planned: PlannedSession[], deadline: number): Promise<string[]> {
  const roots = new Set(planned.map((s) => s.id));
  let lastSaid = 0;
  for (;;) {
    const sessions = new Set([...roots, ...callSessionsOf(rig, roots)]);
    let open: string[];
    try {
      open = (await runningIds(client)).filter((id) => sessions.has(id) || roots.has(rootOfFollowUp(id) ?? ''));
    } catch (err) {
      open = [`(Temporal visibility unavailable: ${(err as Error).message})`];
    }
    if (open.length === 0 && rig.svix.pending === 0) return [];
    if (Date.now() > deadline) return open;
    if (Date.now() - lastSaid > 15_000) {
      console.log(`  draining: ${open.length} workflows open, ${rig.svix.pending} deliveries in flight`);
      lastSaid = Date.now();
    }
    await sleep(3000);
  }
}

const callSessionsOf = (rig: Rig, roots: Set<string>) =>
  rig.fake
    .placed()
    .filter((c) => roots.has(c.body.session_variables?.followUpOf ?? ''))
    .map((c) => c.sessionId!);

async function observe(
  rig: Rig,
  client: Client,
  planned: PlannedSession[],
  stillRunning: string[],
  liveness: Observed['liveness'],
  faults: Observed['faults'],
): Promise<Observed> {
  const roots = new Set(planned.map((s) => s.id));
  const callSessions = callSessionsOf(rig, roots);
  const sessions = [...roots, ...callSessions];

  const runs = await sessionRuns(client);
  // Visibility is eventually consistent: an id it has not listed is asked about directly.
  for (const id of sessions.filter((s) => !runs.has(s))) {
    const run = await describeRun(client, id);
    if (run) runs.set(id, [run]);
  }
  const followUps = new Map<string, Run[]>();
  for (const [id, list] of await followUpRuns(client)) {
    const root = rootOfFollowUp(id);
    if (root && roots.has(root)) followUps.set(root, [...(followUps.get(root) ?? []), ...list]);
  }
  const histories = new Map(await mapLimited(sessions, 8, async (id) => [id, await historyFacts(client, id)] as const));

  const sqliteKinds = new Map<string, string>();
  try {
    const db = new Database(rig.sqlitePath, { readonly: true, fileMustExist: true });
    for (const row of db.prepare('SELECT session_id, kind FROM sessions').all() as Array<{
      session_id: string;
      kind: string;
    }>)
      sqliteKinds.set(row.session_id, row.kind);
    db.close();
  } catch (err) {
    console.error(`The SQLite outcome store could not be read: ${(err as Error).message}`);
  }

  // The payload values that asked for far-away timers: the longest timer in the workflows they started.
  const bounds: Record<string, number> = { 'sessionVariables.ttl 1e9': 3 * 3600, 'callback on 9999-12-31': 31 * 86400 };
  const timers: Observed['timers'] = [];
  for (const d of rig.svix.deliveries) {
    const boundSeconds = bounds[d.label];
    const workflowId = d.answer?.workflowId;
    if (d.cls !== 'named-hostile' || boundSeconds === undefined || typeof workflowId !== 'string') continue;
    const facts = await Promise.all([
      historyFacts(client, workflowId),
      historyFacts(client, `followup-${workflowId}-1`),
    ]);
    const longestSeconds = Math.max(0, ...facts.map((f) => f?.longestTimerSeconds ?? 0));
    timers.push({ label: d.label, longestSeconds, boundSeconds });
  }

  return {
    planned,
    callSessions,
    deliveries: rig.svix.deliveries,
    outcomes: rig.receiver.keys,
    sqliteKinds,
    sessionRuns: runs,
    followUps,
    histories,
    calls: rig.fake.calls,
    stillRunning,
    liveness,
    unplannedExits: [...rig.api.unplannedExits, ...rig.worker.unplannedExits],
    faults,
    timers,
  };
}

/** What the run meant to do to the system, and what it did. */
function faultsHappened(
  settings: FaultSettings,
  rig: Rig,
  chaos: ChaosEvent[],
  planned: PlannedSession[],
): Observed['faults'] {
  const some = (share: number) => (share > 0 ? 1 : 0);
  const outcomesOf = (source: string, kind: string) =>
    planned.filter((s) => rig.receiver.keys.get(`${s.id}:${kind}`)?.data.source === source).length;
  const count = (what: string) => chaos.filter((e) => e.what.startsWith(what)).length;
  return [
    { fault: 'worker SIGKILLs', happened: count('worker'), atLeast: settings.workerKills },
    { fault: 'API SIGKILLs', happened: count('API'), atLeast: 1 },
    { fault: 'Temporal restarts', happened: count('Temporal'), atLeast: 1 },
    {
      fault: 'failed transcript pages',
      happened: rig.fake.injected.messagePages,
      atLeast: some(settings.pageFailureShare),
    },
    {
      fault: 'outcome posts refused',
      happened: rig.receiver.counts.refused,
      atLeast: some(settings.outcomeFailureShare),
    },
    {
      fault: 'outcome answers lost',
      happened: rig.receiver.counts.answerLost,
      atLeast: some(settings.outcomeFailureShare),
    },
    {
      fault: 'ambiguous calls/start',
      happened: rig.fake.injected.callsStartAmbiguous,
      atLeast: some(settings.dialAmbiguousShare),
    },
    {
      fault: 'sessions completed by reconciliation',
      happened: outcomesOf('reconciled', 'completed'),
      atLeast: some(settings.lostEndShare),
    },
    { fault: 'sessions expired', happened: outcomesOf('none', 'expired'), atLeast: some(settings.neverEndsShare) },
  ];
}

function figuresOf(
  settings: FaultSettings,
  rig: Rig,
  o: Observed,
  chaos: ChaosEvent[],
  liveness: ReturnType<typeof watchLiveness>['figures'],
  load: ReturnType<typeof sampleLoad>['figures'],
  durations: Record<string, number>,
): Figures[] {
  const kinds = (k: PlannedSession['kind']) => o.planned.filter((s) => s.kind === k).length;
  const byClass = (cls: DeliveryClass) => {
    const ds = o.deliveries.filter((d) => d.cls === cls);
    const n = (f: string) => ds.filter((d) => d.final === f).length;
    const attempts = ds.reduce((sum, d) => sum + d.attempts.length, 0);
    return `${ds.length} messages, ${attempts} attempts: ${n('accepted')} accepted, ${n('refused')} refused, ${n('dead-lettered')} dead-lettered`;
  };
  const statuses = new Map<string, number>();
  for (const d of o.deliveries)
    for (const a of d.attempts)
      statuses.set(String(a.status ?? a.error), (statuses.get(String(a.status ?? a.error)) ?? 0) + 1);
  const pageRequests = rig.fake.requests.filter((r) => r.endsWith('/messages')).length;
  const histories = [...o.histories.values()].filter((h) => h !== undefined);
  const events = histories.map((h) => h.events);
  const c = rig.receiver.counts;
  const largest = [...o.sessionRuns.values()].flat().sort((a, b) => (b.historyBytes ?? 0) - (a.historyBytes ?? 0))[0];
  const recorded = (kind: string) => [...o.outcomes.keys()].filter((k) => k.endsWith(`:${kind}`)).length;
  return [
    {
      title: 'Run',
      rows: [
        ['seed', settings.seed],
        [
          'sessions',
          `${o.planned.length} (${kinds('ends')} end, ${kinds('end-lost')} whose session.ended is lost, ${kinds('never-ends')} never end)`,
        ],
        ['callback sessions', o.planned.filter((s) => s.callback).length],
        ['follow-up call sessions', o.callSessions.length],
        ['deliveries of each event', settings.redeliveries],
        [
          'load average (1 min) at start / highest',
          `${load.atStart.toFixed(1)} / ${load.max.toFixed(1)} on ${cpus().length} cores`,
        ],
      ],
    },
    {
      title: 'Deliveries',
      rows: [
        ...(
          [
            'genuine',
            'platform',
            'fuzz-signed',
            'named-hostile',
            'forged',
            'stale',
            'tampered',
            'fuzz-unsigned',
          ] as DeliveryClass[]
        ).map((cls): [string, string] => [cls, byClass(cls)]),
        [
          'answers',
          [...statuses]
            .sort()
            .map(([s, n]) => `${s}: ${n}`)
            .join(', '),
        ],
      ],
    },
    {
      title: 'Faults',
      rows: [
        ['transcript page requests failed', `${rig.fake.injected.messagePages} of ${pageRequests}`],
        ['outcome posts refused (500) / recorded but answer lost', `${c.refused} / ${c.answerLost} of ${c.posts}`],
        ['calls/start placed but answered 502', `${rig.fake.injected.callsStartAmbiguous} of ${rig.fake.calls.length}`],
        ...chaos.map((e): [string, string] => [
          e.what,
          `at t+${e.atSeconds.toFixed(0)}s, down ${e.downSeconds.toFixed(1)}s`,
        ]),
        [
          '/healthz probes (failed: planned / unplanned)',
          `${liveness.probes} (${liveness.failed - liveness.failedUnplanned} / ${liveness.failedUnplanned})`,
        ],
      ],
    },
    {
      title: 'Temporal',
      rows: [
        ['session workflows (all, fuzz included)', o.sessionRuns.size],
        ['follow-up workflows of the run', [...o.followUps.values()].flat().length],
        [
          'history events per session (mean / max)',
          events.length
            ? `${(events.reduce((a, b) => a + b, 0) / events.length).toFixed(1)} / ${Math.max(...events)}`
            : '-',
        ],
        ['agntixEvent signals per session (max)', Math.max(0, ...histories.map((h) => h.signals))],
        [
          'largest session history (any, fuzz included)',
          largest
            ? `${Math.round((largest.historyBytes ?? 0) / 1024)} KB, ${largest.historyEvents} events (${largest.workflowId.slice(0, 36)})`
            : '-',
        ],
        ['outcomes recorded (completed / expired, all sessions)', `${recorded('completed')} / ${recorded('expired')}`],
      ],
    },
    { title: 'Durations (s)', rows: Object.entries(durations) },
  ];
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
