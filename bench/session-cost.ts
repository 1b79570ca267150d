/**
 * npm run bench:session-cost: what each kind of session costs in Temporal actions, two ways.
 * 1. As the Temporal server counts it (the figures Temporal Cloud bills from): its own `action` counter, read before
 *    and after each scenario run alone on a dev server of its own (test/helpers/actionScenarios.ts, asserted by
 *    test/serverActions.test.ts).
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
