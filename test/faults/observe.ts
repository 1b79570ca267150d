import type { Client } from '@temporalio/client';
import Database from 'better-sqlite3';
import type { Observed } from './checks';
import type { ChaosEvent } from './chaos';
import type { PlannedSession } from './plan';
import type { Rig } from './rig';
import type { FaultSettings } from './settings';
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

/*
 * After the traffic: wait for the run's workflows to close, then gather what every witness says (the outcome
 * receiver, the SQLite store, Temporal, the fake's calls log, Svix's answers) for the checks.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until no workflow of the run is open and Svix has nothing left to deliver, or the deadline passes. */
export async function drain(rig: Rig, client: Client, planned: PlannedSession[], deadline: number): Promise<string[]> {
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

export async function observe(
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
export function faultsHappened(
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
    ...(['inside-window', 'after-window'] as const).map((when) => ({
      fault: `late ends that replaced an expiry, ${when === 'inside-window' ? 'inside' : 'after'} the late-end window`,
      happened: planned.filter(
        (s) => s.lateEnd === when && rig.receiver.keys.get(`${s.id}:completed`)?.data.supersedes === `${s.id}:expired`,
      ).length,
      atLeast: planned.some((s) => s.lateEnd === when) ? 1 : 0,
    })),
  ];
}
