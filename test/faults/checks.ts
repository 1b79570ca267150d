import type { PlacedCallRecord } from '../../src/dev/sandbox/fakeAgntix';
import type { PlannedSession } from './plan';
import type { RecordedKey } from './receiver';
import { REFUSED_CLASSES, type Delivery } from './svix';
import type { HistoryFacts, Run } from './temporalView';

/** One promise of issue #12, checked: it holds when `violations` is 0. */
export interface Check {
  promise: string;
  violations: number;
  /** A few examples of what broke it, with the ids to look up. */
  evidence: string[];
}

/** Everything the run observed, gathered after every workflow closed (or the drain deadline passed). */
export interface Observed {
  planned: PlannedSession[];
  /** Sessions of the calls the follow-ups of planned sessions placed. */
  callSessions: string[];
  deliveries: Delivery[];
  outcomes: Map<string, RecordedKey>;
  /** session id → kinds with a row in the SQLite store (sessions table). */
  sqliteKinds: Map<string, string>;
  sessionRuns: Map<string, Run[]>;
  followUps: Map<string, Run[]>;
  histories: Map<string, HistoryFacts | undefined>;
  calls: PlacedCallRecord[];
  stillRunning: string[];
  liveness: { failedUnplanned: number; longestUnplannedMs: number };
  unplannedExits: string[];
  /** Each fault the run meant to cause, and how often it happened: a run without them proves nothing. */
  faults: Array<{ fault: string; happened: number; atLeast: number }>;
  /** Named hostile case → longest timer (s) among its workflows; bound (s) it must stay under. */
  timers: Array<{ label: string; longestSeconds: number; boundSeconds: number }>;
}

const EXAMPLES = 5;
const check = (promise: string, broken: string[]): Check => ({
  promise,
  violations: broken.length,
  evidence: broken.slice(0, EXAMPLES),
});

const is2xx = (status?: number) => status !== undefined && status >= 200 && status < 300;

export function evaluate(o: Observed): Check[] {
  const plannedIds = o.planned.map((s) => s.id);
  const sessions = [...plannedIds, ...o.callSessions];
  // A completed outcome that supersedes the expiry (a late session.ended) replaces it: the session's one final kind.
  const superseded = (id: string) => o.outcomes.get(`${id}:completed`)?.data.supersedes === `${id}:expired`;
  const lateEnds = new Set(o.planned.filter((s) => s.kind === 'ends-late').map((s) => s.id));
  const finalKinds = (id: string) =>
    ['completed', 'expired'].filter((k) => o.outcomes.has(`${id}:${k}`) && !(k === 'expired' && superseded(id)));

  const messagesPerSession = new Map<string, Set<string>>();
  for (const d of o.deliveries) {
    if ((d.cls !== 'genuine' && d.cls !== 'platform') || !d.sessionId) continue;
    messagesPerSession.set(d.sessionId, (messagesPerSession.get(d.sessionId) ?? new Set()).add(d.svixId));
  }

  const placedPerRoot = new Map<string, number>();
  const dialsPerAttempt = new Map<string, number>();
  for (const call of o.calls) {
    const vars = call.body.session_variables ?? {};
    if (call.sessionId && vars.followUpOf)
      placedPerRoot.set(vars.followUpOf, (placedPerRoot.get(vars.followUpOf) ?? 0) + 1);
    if (vars.followUpAttemptId)
      dialsPerAttempt.set(vars.followUpAttemptId, (dialsPerAttempt.get(vars.followUpAttemptId) ?? 0) + 1);
  }

  const attemptsWith500 = o.deliveries.flatMap((d) =>
    d.attempts
      .filter((a) => a.status === 500)
      .map(() => `${d.cls} ${d.label}${d.sessionId ? ` (${d.sessionId})` : ''}`),
  );

  return [
    check(
      'every planned fault happened (kills, restart, failed pages and posts, ambiguous dials, reconciliations, expiries)',
      o.faults
        .filter((f) => f.happened < f.atLeast)
        .map((f) => `${f.fault}: ${f.happened}, expected at least ${f.atLeast}`),
    ),
    check(
      '0 sessions without a recorded outcome (completed or expired) at the outcome receiver',
      sessions.filter((id) => finalKinds(id).length === 0),
    ),
    check(
      '0 sessions without a final row in the SQLite store',
      sessions.filter((id) => !['completed', 'expired'].includes(o.sqliteKinds.get(id) ?? '')),
    ),
    check(
      '0 outcomes recorded twice with different content (same idempotency key; recordedAt aside)',
      [...o.outcomes]
        .filter(([, r]) => r.differing.length > 0)
        .map(([key, r]) => `${key}: ${r.differing[0]!.join(', ')} differ`),
    ),
    check(
      '0 sessions recorded both completed and expired',
      sessions.filter((id) => finalKinds(id).length > 1),
    ),
    check(
      '0 sessions recorded against what the platform says (an ended session expired, an open one completed)',
      [
        ...o.planned.map((s) => ({ id: s.id, expected: s.kind === 'never-ends' ? 'expired' : 'completed' })),
        ...o.callSessions.map((id) => ({ id, expected: 'completed' })),
      ].flatMap(({ id, expected }) => {
        const kinds = finalKinds(id);
        return kinds.length === 1 && kinds[0] !== expected
          ? [`${id}: recorded ${kinds[0]}, the platform says ${expected}`]
          : [];
      }),
    ),
    check(
      '0 completed sessions without an archived transcript',
      sessions.filter(
        (id) =>
          o.outcomes.has(`${id}:completed`) &&
          ![...o.outcomes].some(([key, r]) => key.startsWith(`${id}:`) && r.data.transcript !== undefined),
      ),
    ),
    check(
      '1 workflow run per session (2 for a late end after the late-end window: a run that follows the expiry)',
      sessions.flatMap((id) => {
        const runs = o.sessionRuns.get(id) ?? [];
        const allowed = lateEnds.has(id) && superseded(id) ? [1, 2] : [1];
        return allowed.includes(runs.length) ? [] : [`${id}: ${runs.length} runs`];
      }),
    ),
    check(
      '0 late ends lost: every session whose session.ended came after its expiry is recorded completed',
      [...lateEnds].filter((id) => !o.outcomes.has(`${id}:completed`) || o.sqliteKinds.get(id) !== 'completed'),
    ),
    check(
      'a late end inside the late-end window is taken by the expired run, one after it by a run that follows the expiry',
      o.planned.flatMap((s) => {
        if (!s.lateEnd || !superseded(s.id)) return []; // ended before it expired (a worker was down): not late
        const runs = (o.sessionRuns.get(s.id) ?? []).length;
        const expected = s.lateEnd === 'inside-window' ? 1 : 2;
        return runs === expected ? [] : [`${s.id}: late end ${s.lateEnd}, ${runs} runs`];
      }),
    ),
    check(
      '0 session or follow-up workflows closed other than completed (failed, terminated, timed out)',
      [...sessions.flatMap((id) => o.sessionRuns.get(id) ?? []), ...[...o.followUps.values()].flat()]
        .filter((r) => r.status !== 'COMPLETED' && r.status !== 'RUNNING')
        .map((r) => `${r.workflowId}: ${r.status}`),
    ),
    check('0 workflows still running at the drain deadline', o.stillRunning),
    check(
      '0 redeliveries that added history (agntixEvent signals per session <= its distinct Svix messages)',
      sessions.flatMap((id) => {
        const h = o.histories.get(id);
        const messages = messagesPerSession.get(id)?.size ?? 0;
        if (!h) return [`${id}: history could not be read`];
        return h.signals > messages ? [`${id}: ${h.signals} signals for ${messages} messages, ${h.events} events`] : [];
      }),
    ),
    check(
      '1 follow-up per callback session (and none for the others)',
      o.planned.flatMap((s) => {
        const n = o.followUps.get(s.id)?.length ?? 0;
        return n === (s.callback ? 1 : 0)
          ? []
          : [`${s.id} (${s.callback ? 'callback' : 'no callback'}): ${n} follow-ups`];
      }),
    ),
    check(
      '1 call placed per callback session (the customer is called back, once)',
      o.planned.flatMap((s) => {
        const n = placedPerRoot.get(s.id) ?? 0;
        return n === (s.callback ? 1 : 0) ? [] : [`${s.id}: ${n} calls placed`];
      }),
    ),
    check(
      '0 repeated dials of one attempt id (calls/start log)',
      [...dialsPerAttempt].filter(([, n]) => n > 1).map(([id, n]) => `${id}: dialled ${n} times`),
    ),
    check(
      '0 forged, stale, tampered or unsigned fuzzed deliveries accepted (2xx)',
      o.deliveries
        .filter((d) => REFUSED_CLASSES.includes(d.cls) && d.attempts.some((a) => is2xx(a.status)))
        .map(
          (d) =>
            `${d.cls}: ${d.label}${d.sessionId ? ` for ${d.sessionId}` : ''} answered ${d.attempts.at(-1)?.status}`,
        ),
    ),
    check('0 answers of 500, to any delivery', attemptsWith500),
    check(
      '0 signed deliveries that could never be recorded (5xx or no answer through every Svix retry)',
      o.deliveries
        .filter((d) => d.final === 'dead-lettered' && !REFUSED_CLASSES.includes(d.cls))
        .map((d) => `${d.cls} ${d.label}: ${d.attempts.map((a) => a.status ?? a.error).join(',')}`),
    ),
    check(
      '0 timers set beyond the configured bounds by payload values',
      o.timers
        .filter((t) => t.longestSeconds > t.boundSeconds)
        .map(
          (t) =>
            `${t.label}: a timer of ${Math.round(t.longestSeconds / 86400)} days (bound ${Math.round(t.boundSeconds / 3600)} h)`,
        ),
    ),
    check(
      'the API alive throughout (/healthz, outside its planned kill)',
      o.liveness.failedUnplanned > 0
        ? [`${o.liveness.failedUnplanned} failed probes, longest ${o.liveness.longestUnplannedMs} ms`]
        : [],
    ),
    check('0 exits of the API or the worker that the run did not cause', o.unplannedExits),
  ];
}
