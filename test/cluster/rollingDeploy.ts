import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Pool } from 'pg';
import { runFollowUpCommand } from '../../src/bin/followup';
import { followUpWorkflowId } from '../../src/contracts';
import { cliCacheDir } from '../../src/dev/temporalCli';
import type { FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import type { Check } from './checks';
import type { ComposeTopology } from './composeServices';
import { runCommand } from './temporalServer';
import { deliver, deliveriesFor, inParallel, planSessions, type PlannedSession } from './traffic';

const { VersioningBehavior } = proto.api.enums.v1;
const DEPLOYMENT = 'agntix';

/**
 * The operator's `temporal` commands of docs/operations.md ("Rolling deploys"), as written after
 * `docker compose run --rm temporal-admin`: the temporal-admin service's environment, the pinned CLI.
 */
export function temporalAdmin(compose: ComposeTopology) {
  const run = (args: string[]) =>
    runCommand(`${cliCacheDir()}/temporal`, args, {
      env: { ...compose.environment('temporal-admin'), PATH: process.env.PATH ?? '' },
    });
  return {
    /** `worker deployment set-current-version`, retried until the build's workers have polled. */
    async setCurrent(buildId: string): Promise<void> {
      const args = ['worker', 'deployment', 'set-current-version', '--deployment-name', DEPLOYMENT];
      for (const until = Date.now() + 60_000; ;) {
        try {
          await run([...args, '--build-id', buildId, '--yes']);
          return;
        } catch (err) {
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    },
    /** The drainage status `worker deployment describe-version` reports (`drained` once nothing runs on it). */
    async drainage(buildId: string): Promise<string> {
      const out = await run([
        'worker',
        'deployment',
        'describe-version',
        '--deployment-name',
        DEPLOYMENT,
        '--build-id',
        buildId,
        '-o',
        'json',
      ]);
      // `drainageStatus`, at the top or inside `drainageInfo`, as a name (`drained`) or an enum (`..._DRAINED`).
      return (/"drainageStatus"\s*:\s*"([^"]+)"/.exec(out)?.[1] ?? 'none').toLowerCase();
    },
  };
}

async function versioning(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId ?? undefined };
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; ;) {
    if (await test().catch(() => false)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface RollingDeployInput {
  client: Client;
  pool: Pool;
  compose: ComposeTopology;
  agntix: FakeAgntix;
  webhookUrl: string;
  webhookSecret: string;
  /** Sessions of the main traffic whose follow-up waits on build A for its slot. */
  followUpRoots: string[];
  /** Starts one worker of the green slot (build B); resolves once it polls. */
  startGreen(): Promise<void>;
  /** Stops build A's workers (SIGTERM, as `docker compose stop worker-blue`). */
  stopBlue(): Promise<void>;
  log(line: string): void;
}

/**
 * A rolling deploy as docs/operations.md describes it, while sessions are open: sessions begun on build A (blue) and
 * follow-ups waiting on it; build B (green) started and made current; A's sessions end on A, new ones run on B,
 * follow-ups move to B at their next task and dial once; A drains and stops; nothing is lost.
 */
export async function rollingDeploy(input: RollingDeployInput): Promise<Check[]> {
  const { client, agntix, log } = input;
  const admin = temporalAdmin(input.compose);
  const send = async (sessions: PlannedSession[], labels: string[]) =>
    inParallel(sessions, 4, async (s, i) => {
      for (const d of deliveriesFor(s, i, input.webhookSecret).filter((x) => labels.includes(x.label))) {
        await deliver(input.webhookUrl, d);
      }
    });
  const prepare = (sessions: PlannedSession[]) => {
    for (const s of sessions) agntix.sessions.set(s.id, { messages: [{ id: 'm0', role: 'user', content: 'hello' }] });
  };

  const open = planSessions(12).map((s) => ({ ...s, callback: false }));
  prepare(open);
  await send(open, ['created']);
  const openOnA = await until('open sessions on A', async () => {
    const all = await Promise.all(open.map((s) => versioning(client.workflow.getHandle(s.id))));
    return all.every((v) => v.buildId === 'build-a');
  });
  log(`rolling deploy: ${open.length} sessions open on build-a, ${input.followUpRoots.length} follow-ups waiting`);

  await input.startGreen();
  await admin.setCurrent('build-b');
  log('rolling deploy: build-b current');

  const fresh = planSessions(12).map((s) => ({ ...s, callback: false }));
  prepare(fresh);
  await send(fresh, ['created', 'ended']);
  await send(open, ['ended']);
  // Completion, not result(): results are encrypted with keys this test process does not hold, like Temporal.
  const completed = await until(
    'deploy sessions to complete',
    async () => {
      const all = await Promise.all([...open, ...fresh].map((s) => client.workflow.getHandle(s.id).describe()));
      return all.every((d) => d.status.name === 'COMPLETED');
    },
    120_000,
  );
  const openRan = await Promise.all(open.map((s) => versioning(client.workflow.getHandle(s.id))));
  const freshRan = await Promise.all(fresh.map((s) => versioning(client.workflow.getHandle(s.id))));

  // An operator moves three follow-ups to a few seconds from now: their next task runs on B, and they dial.
  const roots = input.followUpRoots.slice(0, 3);
  const moved = roots.map((root) => followUpWorkflowId(root, 1));
  const dialsBefore = agntix.calls.length;
  const at = new Date(Date.now() + 5000).toISOString();
  for (const id of moved) await runFollowUpCommand(['reschedule', id, at, '--force'], client, () => undefined);
  const movedTo = await Promise.all(moved.map((id) => versioning(client.workflow.getHandle(id))));
  const dialled = await until(
    'moved follow-ups to dial',
    () => Promise.resolve(agntix.calls.length - dialsBefore >= moved.length),
    60_000,
  );
  await new Promise((r) => setTimeout(r, 3000));
  const dialsPerFollowUp = roots.map(
    (root) =>
      agntix.calls.slice(dialsBefore).filter((c) => Object.values(c.body.session_variables).includes(root)).length,
  );

  let drainage = await admin.drainage('build-a');
  const drained = await until(
    'build-a drained',
    async () => (drainage = await admin.drainage('build-a')).includes('drained'),
    90_000,
  );
  await input.stopBlue();
  log(`rolling deploy: build-a ${drainage}, its workers stopped`);

  const outcomes = await input.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM sessions WHERE session_id = ANY($1) AND kind = 'completed'",
    [[...open, ...fresh].map((s) => s.id)],
  );
  const pinned = VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;
  const auto = VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE;
  return [
    {
      name: 'deploy: sessions begun on build A finished on A (pinned)',
      ok: openOnA && completed && openRan.every((v) => v.buildId === 'build-a' && v.behavior === pinned),
      detail: `${openRan.filter((v) => v.buildId === 'build-a').length}/${open.length} on build-a`,
    },
    {
      name: 'deploy: sessions begun after B became current ran on B',
      ok: freshRan.every((v) => v.buildId === 'build-b' && v.behavior === pinned),
      detail: `${freshRan.filter((v) => v.buildId === 'build-b').length}/${fresh.length} on build-b`,
    },
    {
      name: 'deploy: waiting follow-ups moved to B at their next task (auto-upgrade)',
      ok: movedTo.every((v) => v.buildId === 'build-b' && v.behavior === auto),
      detail: JSON.stringify(movedTo.map((v) => v.buildId)),
    },
    {
      name: 'deploy: each moved follow-up dialled exactly once',
      ok: dialled && dialsPerFollowUp.every((n) => n === 1),
      detail: `dials per follow-up ${JSON.stringify(dialsPerFollowUp)}`,
    },
    { name: 'deploy: build A drained before its workers stopped', ok: drained, detail: drainage },
    {
      name: 'deploy: every session of the deploy recorded once',
      ok: Number(outcomes.rows[0]?.n) === open.length + fresh.length,
      detail: `${outcomes.rows[0]?.n} completed outcomes for ${open.length + fresh.length} sessions`,
    },
  ];
}
