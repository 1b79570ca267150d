import { cpus, loadavg } from 'node:os';
import type { Observed } from './checks';
import type { ChaosEvent, watchLiveness } from './chaos';
import type { PlannedSession } from './plan';
import type { Figures } from './report';
import type { Rig } from './rig';
import type { FaultSettings } from './settings';
import type { DeliveryClass } from './svix';

/** The machine's 1-minute load average while the run lasts: the figures mean little on a machine busy elsewhere. */
export function sampleLoad() {
  const figures = { atStart: loadavg()[0]!, max: loadavg()[0]! };
  const timer = setInterval(() => (figures.max = Math.max(figures.max, loadavg()[0]!)), 5000);
  return { figures, stop: () => clearInterval(timer) };
}

/** The figures of a run: its size, what was delivered and answered, the faults, Temporal's side, the durations. */
export function figuresOf(
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
          `${o.planned.length} (${kinds('ends')} end, ${kinds('end-lost')} whose session.ended is lost, ${kinds('never-ends')} never end, ${kinds('ends-late')} end after they expired)`,
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
        ['late ends that replaced the expiry: inside the window, 1 run / after it, 2 runs', lateEndsTaken(o)],
      ],
    },
    { title: 'Durations (s)', rows: Object.entries(durations) },
  ];
}

/** How the late ends were taken: by the expired run inside its window, or by a run that follows the expiry. */
function lateEndsTaken(o: Observed): string {
  const taken = (when: 'inside-window' | 'after-window', runs: number) =>
    o.planned.filter(
      (s) =>
        s.lateEnd === when &&
        o.outcomes.get(`${s.id}:completed`)?.data.supersedes === `${s.id}:expired` &&
        (o.sessionRuns.get(s.id) ?? []).length === runs,
    ).length;
  const planned = (when: string) => o.planned.filter((s) => s.lateEnd === when).length;
  return `${taken('inside-window', 1)} of ${planned('inside-window')} / ${taken('after-window', 2)} of ${planned('after-window')}`;
}
