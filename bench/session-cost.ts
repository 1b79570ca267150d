/**
 * npm run bench:session-cost: what each kind of session costs in Temporal actions, two ways.
 * 1. As the Temporal server counts it (the figures Temporal Cloud bills from): its own `action` counter, read before
 *    and after each scenario run alone on a dev server of its own (test/helpers/actionScenarios.ts, asserted by
 *    test/workflows/serverActions.test.ts).
 * 2. From the histories the test suite recorded (test/fixtures/histories): every workflow shape that ships.
 */
import { bundleWorkflows } from '../test/helpers/temporal';
import { readdirSync } from 'node:fs';
import { generateKeyItem } from '../src/temporal/keyRing';
import { measureScenario, SCENARIOS, type ScenarioName } from '../test/helpers/actionScenarios';
import { historiesDir, loadHistory } from '../test/helpers/histories';
import {
  countActions,
  dollarsPerMillionSessions,
  LIST_PRICE_PER_MILLION_ACTIONS,
} from '../test/helpers/historyActions';
import { startCountingServer, totalActions, type ActionCounts } from '../test/helpers/serverActions';
import { writeBenchSection } from './report';

/** Issue #26's targets, as the server counts. */
const TARGETS: Record<ScenarioName, number> = { standard: 8, expired: 10, schedulesFollowUp: 10, followUpPlaced: 8 };

/** Where each action goes, and why none of them can go without losing what operators see or a promise needs. */
const FLOOR = [
  '### The floor, and why',
  '',
  'A standard voice session costs 7, and each of them is needed:',
  '',
  '1. `grpc_SignalWithStartWorkflowExecution` for session.created: the webhook is answered 2xx only once Temporal holds it (the durable enqueue the ingest promises).',
  '2. The same for session.ended (a plain signal would cost the same).',
  '3. `command_BatchMarkers`, one batch for two local activities in the first workflow task: the settings the session captures once, and its in-flight write to every system (run while the settings still hold the task open, so it costs no action of its own).',
  '4. `command_StartTimer`: the deadline for session.ended. A lost webhook must still end in reconciliation or expiry, and a timer is the one durable deadline a workflow has; it is cancelled when the webhook comes, and billed all the same.',
  '5. `command_ScheduleActivityTask`, the transcript archive: an activity, because in an Agntix outage it runs for up to TRANSCRIPT_WAIT_SECONDS (120 s) and then 24 hours.',
  '6. `command_ScheduleActivityTask`, the outcome written to every system in one activity: the session’s reason to exist. It needs the rules evaluated on the archive’s result, so it cannot ride in the archive’s activity.',
  '7. `command_UpsertWorkflowSearchAttributes`, the final phase and outcome (AgntixPhase, AgntixOutcome): what operators search finished sessions by. The phases in between are shown in the Web UI’s details, which cost nothing.',
  '',
  'Six would need the archive and the outcome write as two local activities in one workflow task (one batch of markers for both): in an outage that task would stay open for up to the whole transcript wait, with the `status` query and the Web UI’s pending-activity view waiting on it, and a lost worker noticed only by the task’s timeout. Not done: the action saved is not worth what operators lose.',
  '',
  'An expired session costs 9 here (2 reconciliations) and 10 with the production default of 3: the start, the first task’s batch, the timer, one reconcile activity whose retries are the checks (a check is an attempt, billed), the expired write, the final upsert, and one timer for the late-end window (`SESSION_LATE_END_WINDOW_SECONDS`: the expiry is provisional while the platform may still deliver `session.ended`). A late end within the window adds the post-call work (the archive, the outcome write, an upsert, and a follow-up’s start when one is asked for); after it, the late end starts a run of its own.',
  '',
  'A session that schedules a follow-up costs 10: the standard 7, the follow-up’s child start (billed twice, `command_StartChildWorkflowExecution` and its `_Extra`: the follow-up must outlive the session and answer operators’ updates), and the follow-up’s timer until its slot. Its `follow-up.scheduled` goes in the session’s write of the outcome, before the child starts, so it costs no activity and reaches every system before the follow-up’s later news; a system that write missed is told by the follow-up first (`announcedTo`).',
  '',
  'A follow-up that places its call costs 7 here, its start (paid by the session in production, as the child start above) included: the dial, the two state upserts operators follow (`dialling`, then `placed`: AgntixFollowUpState), the placement written to every system, and the call session’s start as a child (two).',
];

async function serverCounted(): Promise<Array<{ name: ScenarioName; counts: ActionCounts; note?: string }>> {
  process.env.TEST_PAYLOAD_ENCRYPTION_KEYS ??= generateKeyItem('bench');
  const [temporal, bundle] = await Promise.all([startCountingServer(), bundleWorkflows()]);
  try {
    const measured = [];
    for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
      measured.push({ name, ...(await measureScenario(temporal, bundle, name)) });
    }
    return measured;
  } finally {
    await temporal.close();
  }
}

function historyTable(): string[] {
  const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
  const rows = files.map((file) => {
    const c = countActions(loadHistory(file));
    return [
      file.replace('.json', ''),
      c.workflowType,
      c.events,
      c.signalWithStart ? `${c.start} (with its signal)` : c.start,
      c.signals - c.signalWithStart,
      c.timers,
      c.activityAttempts,
      `${c.localActivityTasks} (${c.localActivities})`,
      c.upserts + c.changeVersionUpserts,
      c.childStarts,
      c.updates,
      `**${c.billable}**`,
      `$${dollarsPerMillionSessions(c.billable).toLocaleString('en-US')}`,
    ];
  });
  return [
    '| history | workflow | events | start | other signals | timers | activity attempts | local-activity tasks (activities) | SA upserts | child starts (2 each) | updates | actions | $ per million |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

async function main() {
  const measured = await serverCounted();
  const types = [...new Set(measured.flatMap((m) => Object.keys(m.counts)))].sort();
  const lines = [
    `Command: \`npm run bench:session-cost\`, run ${new Date().toISOString().slice(0, 10)}. Test policy: 1 s ttl + 1 s grace, 2 reconciliations, two external systems (the store and the outcome webhook), the Agntix sandbox.`,
    '',
    '### As the Temporal server counts (its `action` counter)',
    '',
    'Each scenario runs alone on a dev server of its own; the counter is read once it has settled before and after. The scenarios make no queries; the follow-up scenario starts its workflow with the client (the `grpc_StartWorkflowExecution` below; in production the session starts it and pays for it as a child start), and the call session it starts is not its cost: that session’s first actions, read from its history, are taken out.',
    '',
    `| scenario | ${types.join(' | ')} | total | target | $ per million |`,
    `| --- | ${types.map(() => '---').join(' | ')} | --- | --- | --- |`,
    ...measured.map(({ name, counts }) => {
      const total = totalActions(counts);
      return `| ${SCENARIOS[name]} | ${types.map((t) => counts[t] ?? 0).join(' | ')} | **${total}** | ≤ ${TARGETS[name]}${total > TARGETS[name] ? ' (not met)' : ''} | $${dollarsPerMillionSessions(total).toLocaleString('en-US')} |`;
    }),
    '',
    ...measured.filter((m) => m.note).map((m) => `- ${m.name}: ${m.note}`),
    '',
    ...FLOOR,
    '',
    '### From the recorded histories',
    '',
    'Counted as https://docs.temporal.io/cloud/actions defines them, from the histories the test suite recorded (test/fixtures/histories). Heartbeats are not in a history, nor is the ingest’s second signal-with-start when the workflow already runs (its signal is).',
    '',
    ...historyTable(),
    '',
    `Price: $${LIST_PRICE_PER_MILLION_ACTIONS} per million actions, the first tier of Temporal Cloud's list price (temporal.io/pricing; higher volumes cost less and plans include some actions; not checked against today's price page from this machine, which has no web access).`,
  ];
  console.log(lines.join('\n'));
  writeBenchSection('session-cost', 'Cost of one session', lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
