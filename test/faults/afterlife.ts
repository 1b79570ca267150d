import type { Client } from '@temporalio/client';
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { cancelFollowUpUpdate, followUpStatusQuery, followUpWorkflowId, type SessionResult } from '../../src/contracts';
import type { Check } from './checks';
import type { PlannedSession } from './plan';
import type { Figures } from './report';
import type { Rig } from './rig';
import { idleAfterHealthCheck } from '../helpers/rawHttp';
import { lateAnsweredCall } from './lateCall';
import { createSvix, signedBy, type Delivery } from './svix';

/*
 * After the run's workflows closed: the promises that must outlive a workflow (issue #22), tried on the run's own
 * placed follow-ups against the real API and worker processes, as an operator and a slow platform would.
 *
 * - erase, then redeliver: `forget` a session whose follow-up dialled, then Svix retries its session.ended;
 * - retention, then a resend: delete the closed executions (as the namespace's retention does, stores untouched),
 *   then a manual resend of session.ended from the Agntix dashboard (the same message id);
 * - the runbook's reset: `npm run temporal -- workflow reset` of a placed follow-up to each workflow task before
 *   its dial, one after another;
 * - a follow-up call whose webhooks come after its expiry, answered in the API before the next attempt's slot
 *   (./lateCall.ts, on a chain of its own);
 * - the same svix-id with another body;
 * - 1,024 idle keep-alive sockets (from other addresses than the platform's) while a signed delivery comes in.
 *
 * Each scenario counts calls/start per follow-up attempt in the fake's log: the customer is called once, whatever
 * happens to the histories. Its figures go to the run's report; a scenario that throws is a violation.
 */

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FOLLOW_UP_SETTLES_MS = 120_000;

interface Scenario {
  promise: string;
  run: () => Promise<{ figure: string; broken: string[] }>;
}

/** Runs one of the service's own commands (src/...) as its own process, with the service's environment. */
function command(rig: Rig, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], {
      cwd: ROOT,
      env: rig.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const dialsOf = (rig: Rig, root: string) =>
  rig.fake.calls.filter((c) => c.body.session_variables?.followUpOf === root).length;

/** Waits for the follow-up's current run to ask an operator (as a dial the ledger holds makes it), or to close. */
async function settledFollowUp(client: Client, workflowId: string, since: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  for (const deadline = Date.now() + FOLLOW_UP_SETTLES_MS; Date.now() < deadline; await sleep(1000)) {
    const described = await handle.describe().catch(() => undefined);
    if (!described || described.startTime.getTime() < since) continue; // not (re)started yet
    if (described.status.name !== 'RUNNING') return described.status.name.toLowerCase();
    const status = await handle.query(followUpStatusQuery).catch(() => undefined);
    if (status?.state === 'needs-operator') return 'needs-operator';
  }
  return 'no answer within 120 s';
}

/** Whether the session's new run ended at once because the store holds its outcome (bounded: a run that goes on
 * with the post-call work answers false once it has taken longer than that would). */
async function storeRemembered(client: Client, sessionId: string): Promise<boolean> {
  const result = client.workflow
    .getHandle<(input: unknown) => Promise<SessionResult>>(sessionId)
    .result()
    .then((r) => r.alreadyRecorded === true)
    .catch(() => false);
  return Promise.race([result, sleep(30_000).then(() => false)]);
}

/** An operator answers a follow-up that asks for them, so the run leaves nothing open. */
const cancel = (client: Client, workflowId: string) =>
  client.workflow
    .getHandle(workflowId)
    .executeUpdate(cancelFollowUpUpdate, { args: [{ reason: 'fault suite: the call was already made' }] })
    .catch(() => undefined);

function redeliver(rig: Rig, session: PlannedSession, body = JSON.stringify(session.ended)): Promise<Delivery> {
  const svix = createSvix(`${rig.apiUrl}/webhooks/agntix`);
  return svix.send({
    cls: body === JSON.stringify(session.ended) ? 'genuine' : 'named-hostile',
    label: 'session.ended',
    sessionId: session.id,
    body,
    svixId: `msg_${session.id}_ended`,
    headers: signedBy(rig.secret),
  });
}

const lastAnswer = (d: Delivery) => {
  const last = d.attempts.at(-1);
  const said = d.answer?.status ?? d.answer?.error;
  return `${last?.status ?? last?.error}${typeof said === 'string' ? ` ${said}` : ''}`;
};

/** A redelivery of a session whose follow-up dialled: its follow-up may run again, but never dials again. */
async function redeliveredDialsOnce(rig: Rig, client: Client, session: PlannedSession, since: number) {
  const delivery = await redeliver(rig, session);
  const followUp = followUpWorkflowId(session.id, 1);
  // Answered `duplicate`, nothing starts. Answered `started`, a new session run begins: when the store still holds
  // the session's outcome (retention deleted only the history) it records nothing and starts no follow-up
  // (`alreadyRecorded`); when the store forgot it too (erasure), the session runs again and its follow-up reaches
  // the dial the ledger holds.
  const started = delivery.answer?.status === 'started';
  const remembered = started && (await storeRemembered(client, session.id));
  const state = !started
    ? 'not started'
    : remembered
      ? 'not started (the store holds the outcome)'
      : await settledFollowUp(client, followUp, since);
  if (state === 'needs-operator') await cancel(client, followUp);
  const dials = dialsOf(rig, session.id);
  return {
    figure: `${session.id}: answered ${lastAnswer(delivery)}, follow-up ${state}, calls/start ${dials}`,
    broken: dials === 1 ? [] : [`${session.id}: calls/start ${dials} times`],
  };
}

async function deleteExecution(client: Client, workflowId: string): Promise<void> {
  await client.workflowService
    .deleteWorkflowExecution({ namespace: client.options.namespace, workflowExecution: { workflowId } })
    .catch(() => undefined);
  for (
    let i = 0;
    i < 60 &&
    (await client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        () => false,
      ));
    i++
  )
    await sleep(500);
}

export function afterlifeScenarios(rig: Rig, client: Client, planned: PlannedSession[]): Scenario[] {
  // Sessions whose follow-up placed its call cleanly (answered 200, one dial): each scenario takes its own.
  const placed = planned.filter(
    (s) =>
      s.callback &&
      rig.fake.calls.filter((c) => c.body.session_variables?.followUpOf === s.id).length === 1 &&
      rig.fake.calls.some((c) => c.body.session_variables?.followUpOf === s.id && c.status === 200),
  );
  const take = () => {
    const session = placed.shift();
    if (!session) throw new Error('no placed follow-up left to try (too few callback sessions in the run)');
    return session;
  };
  const plain = planned.find((s) => s.kind === 'ends' && !s.callback)!;

  return [
    {
      promise: 'erase, then a redelivery of session.ended: the customer is not called again',
      run: async () => {
        const session = take();
        const since = Date.now();
        const forget = await command(rig, ['src/bin/forget.ts', '--session', session.id]);
        if (forget.code !== 0) return { figure: 'forget failed', broken: [`forget exited ${forget.code}`] };
        return redeliveredDialsOnce(rig, client, session, since);
      },
    },
    {
      promise: 'retention, then a resend from the dashboard: the customer is not called again',
      run: async () => {
        const session = take();
        const callSessions = rig.fake.calls
          .filter((c) => c.body.session_variables?.followUpOf === session.id && c.sessionId)
          .map((c) => c.sessionId!);
        for (const id of [session.id, followUpWorkflowId(session.id, 1), ...callSessions])
          await deleteExecution(client, id);
        return redeliveredDialsOnce(rig, client, session, Date.now());
      },
    },
    {
      promise: "the runbook's reset of a placed follow-up, to each workflow task before its dial: no second call",
      run: async () => {
        const session = take();
        const workflowId = followUpWorkflowId(session.id, 1);
        const handle = client.workflow.getHandle(workflowId);
        const { runId } = await handle.describe();
        const events = (await handle.fetchHistory()).events ?? [];
        const dialAt = events.findIndex(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startFollowUpCall',
        );
        const points = events
          .slice(0, dialAt)
          .filter((e) => e.workflowTaskCompletedEventAttributes)
          .map((e) => String(e.eventId));
        const states: string[] = [];
        for (const eventId of points) {
          const since = Date.now();
          // What `npm run temporal -- workflow reset ...` (docs/operations.md) runs.
          const reset = await command(rig, [
            'src/dev/temporal.ts',
            // Each from the placed run, the history the operator looks at (resetting a later run would work too).
            ...['workflow', 'reset', '--workflow-id', workflowId, '--run-id', runId, '--event-id', eventId],
            ...['--reason', 'fault suite: runbook reset'],
          ]);
          if (reset.code !== 0)
            return { figure: 'reset failed', broken: [`reset to ${eventId}: ${reset.output.trim()}`] };
          const state = await settledFollowUp(client, workflowId, since);
          states.push(`${eventId}: ${state}`);
          if (state === 'needs-operator') await cancel(client, workflowId);
        }
        const dials = dialsOf(rig, session.id);
        const broken = dials === 1 ? [] : [`${session.id}: calls/start ${dials} times`];
        if (points.length === 0) broken.push(`${workflowId}: no workflow task before the dial`);
        return { figure: `${workflowId} reset to ${states.join(', ')}; calls/start ${dials}`, broken };
      },
    },
    {
      promise:
        'a follow-up call whose webhooks come after its expiry, answered in the API: no next attempt, recorded completed',
      run: () => lateAnsweredCall(rig, client),
    },
    {
      promise: 'the same svix-id with another body is refused (4xx), not acknowledged',
      run: async () => {
        const changed = JSON.stringify({ ...plain.ended, endedAt: new Date().toISOString() });
        const delivery = await redeliver(rig, plain, changed);
        const status = delivery.attempts.at(-1)?.status ?? 0;
        return {
          figure: `answered ${lastAnswer(delivery)}`,
          broken: status >= 400 && status < 500 ? [] : [`${plain.id}: answered ${lastAnswer(delivery)}`],
        };
      },
    },
    {
      promise: 'ingest answers a signed delivery within a second while 1,024 idle sockets are open',
      run: async () => {
        const port = Number(new URL(rig.apiUrl).port);
        // Four other loopback addresses, 256 sockets each (the per-client cap): a crowd, not one client. Opened 64 at
        // a time, as checkers accumulate: a burst of 1,024 at once can keep the API from reading some requests
        // within HTTP_UNSIGNED_IDLE_TIMEOUT_MS, which then closes them, as it should.
        const opening = Date.now();
        const sockets: Socket[] = [];
        for (let i = 0; i < 1024; i += 64) {
          const batch = Array.from({ length: 64 }, (_, k) =>
            idleAfterHealthCheck(port, `127.0.0.${2 + ((i + k) % 4)}`),
          );
          sockets.push(...(await Promise.all(batch)));
        }
        const openedMs = Date.now() - opening;
        const openAtSend = sockets.filter((s) => !s.destroyed).length;
        try {
          const started = Date.now();
          const delivery = await createSvix(`${rig.apiUrl}/webhooks/agntix`).send({
            cls: 'genuine',
            label: 'session.created',
            sessionId: plain.id,
            body: JSON.stringify(plain.created),
            svixId: `msg_${plain.id}_created`,
            headers: signedBy(rig.secret),
          });
          const ms = Date.now() - started;
          const ok = delivery.attempts.length === 1 && delivery.final === 'accepted' && ms < 1000;
          const broken = ok
            ? []
            : [`answered ${lastAnswer(delivery)} after ${delivery.attempts.length} attempts, ${ms} ms`];
          // The premise: the crowd is there when the delivery comes (one may give way to it).
          if (openAtSend < 1000) broken.push(`only ${openAtSend} of 1,024 idle sockets open when the delivery came`);
          return {
            figure: `${openAtSend} idle sockets open (opened in ${openedMs} ms); answered ${lastAnswer(delivery)} in ${ms} ms`,
            broken,
          };
        } finally {
          for (const s of sockets) s.destroy();
        }
      },
    },
  ];
}

/** Tries each scenario in turn; its figure goes to the report, a broken promise or an error to the checks. */
export async function tryAfterlife(
  rig: Rig,
  client: Client,
  planned: PlannedSession[],
): Promise<{ figures: Figures; checks: Check[] }> {
  const figures: Figures = { title: 'Promises that outlive the workflow', rows: [] };
  const checks: Check[] = [];
  for (const scenario of afterlifeScenarios(rig, client, planned)) {
    let result: { figure: string; broken: string[] };
    try {
      result = await scenario.run();
    } catch (err) {
      result = { figure: 'did not complete', broken: [(err as Error).message] };
    }
    console.log(`  ${scenario.promise}: ${result.figure}`);
    figures.rows.push([scenario.promise, result.figure]);
    checks.push({ promise: scenario.promise, violations: result.broken.length, evidence: result.broken.slice(0, 5) });
  }
  return { figures, checks };
}
