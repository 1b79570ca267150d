import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { startFakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { startOutcomeReceiver } from '../helpers/outcomeReceiver';
import { freePort } from '../helpers/freePort';
import { loadConfig } from '../../src/config';
import { dataConverterFor } from '../../src/temporal/dataConverter';
import { SAMPLE_SECRETS } from '../compose/render';
import * as checks from './checks';
import { composeTopology, type HostMap } from './composeServices';
import { repoRoot, waitForHttp, type AppProcess } from './processes';
import { provisionCluster } from './provision';
import { rollingDeploy, temporalAdmin } from './rollingDeploy';
import { runCommand } from './temporalServer';
import { deliver, deliveriesFor, inParallel, planSessions, type Delivery, type DeliveryResult } from './traffic';

/*
 * `npm run test:cluster`: docker-compose.yml on one host. Its services built from this project run with compose's
 * command and environment (rendered with sample secrets; test/cluster/composeServices.ts): two replicas of `api`,
 * two of `worker-blue` (build A), later one of `worker-green` (build B), on the Temporal server built from source,
 * running on PostgreSQL with compose's roles. A few hundred sessions go through both APIs alternately while one
 * worker is SIGKILLed and restarted; then a rolling deploy to build B while sessions are open. Prints its figures and
 * exits non-zero on any failed check. Not part of `npm test`: it takes minutes.
 */

const SESSIONS = Number(process.env.CLUSTER_SESSIONS ?? 300);
const CONCURRENCY = 4;
const KILL_AT = 0.4;
const API_KEY = SAMPLE_SECRETS.AGNTIX_API_KEY;
const OUTCOMES_TIMEOUT_MS = 6 * 60_000;

const t0 = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'agntix-cluster-'));
  log(`work folder (logs, rendered server config): ${workDir}`);
  if (!process.env.CLUSTER_SKIP_BUILD) {
    const built = Date.now();
    await runCommand('npm', ['run', 'build'], { cwd: repoRoot });
    log(`npm run build (the image's dist/) in ${seconds(Date.now() - built)}`);
  }
  const processes: AppProcess[] = [];
  const agntix = await startFakeAgntix({ apiKey: API_KEY, pageSize: 50 });
  const receiver = await startOutcomeReceiver(SAMPLE_SECRETS.OUTCOME_WEBHOOK_SECRET);
  const hosts: HostMap = {};
  const compose = composeTopology(
    workDir,
    { AGNTIX_API_URL: agntix.url, OUTCOME_WEBHOOK_URL: receiver.url, AGNTIX_PHONE_NUMBER_ID: 'pn_cluster' },
    hosts,
  );
  const cluster = await provisionCluster(workDir, log, compose, hosts);
  const pool = new Pool({ connectionString: cluster.databaseUrl });
  const connection = await Connection.connect({ address: cluster.temporal.address });
  // The operator's tools (npm run followup) hold the payload keys, as compose's services do.
  const dataConverter = dataConverterFor(loadConfig(compose.environment('setup')));
  const client = new Client({ connection, namespace: 'default', dataConverter });
  try {
    const webhookSecret = SAMPLE_SECRETS.AGNTIX_WEBHOOK_SECRET;
    const apiPorts = [await freePort(), await freePort()];
    const replicas = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    const workerNames = new Map<number, string>();
    const workers = new Map<string, AppProcess>();
    const startWorker = async (slot: 'worker-blue' | 'worker-green', name: string) => {
      const healthPort = await freePort();
      const worker = compose.start(slot, name.replace(/\W+/g, '-'), {
        WORKER_HEALTH_PORT: String(healthPort),
        WORKER_METRICS_PORT: String(await freePort()),
      });
      workerNames.set(worker.pid, name);
      workers.set(name, worker);
      processes.push(worker);
      const ms = await waitForHttp(`http://127.0.0.1:${healthPort}/healthz`, worker, 120_000);
      return { worker, ms };
    };

    const started = Date.now();
    const apis = apiPorts.map((port, i) => compose.start('api', `api-${i + 1}`, { PORT: String(port) }));
    processes.push(...apis);
    const [w1, w2] = await Promise.all([
      startWorker('worker-blue', 'worker-1'),
      startWorker('worker-blue', 'worker-2'),
    ]);
    await Promise.all(apis.map((api, i) => waitForHttp(`${replicas[i]}/readyz`, api, 60_000)));
    // First start (docs/operations.md): the blue slot's build becomes the deployment's current version.
    await temporalAdmin(compose).setCurrent(compose.environment('worker-blue').WORKER_BUILD_ID ?? '');
    log(`2 API and 2 worker processes ready, build-a current, in ${seconds(Date.now() - started)}`);

    const sessions = planSessions(SESSIONS);
    for (const s of sessions) {
      agntix.sessions.set(s.id, {
        messages: Array.from({ length: s.messages }, (_, i) => ({
          id: `m${i}`,
          role: i % 2 ? 'user' : 'assistant',
          content: `line ${i}`,
        })),
      });
    }
    const results: Array<DeliveryResult & { label: string }> = [];
    const sent = new Map<string, Delivery[]>();
    let done = 0;
    let restart: Promise<{ ms: number }> | undefined;
    let killedAt = 0;
    const trafficStarted = Date.now();
    await inParallel(sessions, CONCURRENCY, async (session, index) => {
      const planned = deliveriesFor(session, index, webhookSecret);
      sent.set(session.id, planned);
      for (const d of planned) {
        results.push({ ...(await deliver(`${replicas[d.replica]}/webhooks/agntix`, d)), label: d.label });
      }
      done += 1;
      if (!restart && done >= SESSIONS * KILL_AT) {
        killedAt = Date.now();
        w1.worker.child.kill('SIGKILL');
        log(`SIGKILL worker-1 (pid ${w1.worker.pid}) after ${done} sessions; restarting it`);
        restart = startWorker('worker-blue', 'worker-1 (restarted)');
      }
    });
    const trafficMs = Date.now() - trafficStarted;
    const restarted = await restart;
    log(`traffic: ${results.length} deliveries for ${SESSIONS} sessions in ${seconds(trafficMs)}`);

    const outcomesMs = await waitForOutcomes(
      pool,
      sessions.map((s) => s.id),
      trafficStarted,
    );
    // Svix redelivers for a day: a late copy of an event whose session has closed must start nothing.
    const late = sessions.filter((_, i) => i % 10 === 0);
    const lateResults = await Promise.all(
      late.map((s) => {
        const ended = sent.get(s.id)!.find((d) => d.label === 'ended')!;
        return deliver(`${replicas[1 - ended.replica]}/webhooks/agntix`, ended);
      }),
    );
    results.push(...lateResults.map((r) => ({ ...r, label: 'late' })));
    const all: checks.Check[] = [];
    const failedDeliveries = results.filter((r) => r.status !== 200);
    all.push({
      name: 'every delivery acknowledged',
      ok: failedDeliveries.length === 0,
      detail: `${failedDeliveries.length} not 200`,
    });
    const lateNotDuplicate = lateResults.filter((r) => r.outcome !== 'duplicate').length;
    all.push({
      name: 'late redeliveries answered duplicate',
      ok: lateNotDuplicate === 0,
      detail: `${late.length} sent after the sessions closed, ${lateNotDuplicate} not duplicate`,
    });
    all.push(await eventually(() => checks.oneRunPerSession(client, sessions)));
    all.push(...(await checks.oneOutcomePerSession(pool, sessions)));
    all.push(await eventually(() => Promise.resolve(checks.receiverGotOutcomes(receiver.recorded, sessions))));
    all.push(
      await checks.linksResolveOnOtherReplica(
        pool,
        sessions,
        replicas,
        receiver.recorded,
        SAMPLE_SECRETS.TRANSCRIPT_LINK_SECRET,
      ),
    );
    const followUps = await checks.followUpsListed(
      client,
      pool,
      sessions,
      (pid) => workerNames.get(pid) ?? `pid ${pid}`,
    );
    all.push(...followUps.checks);
    all.push(...(await checks.rolesSeparated(cluster.postgres, compose)));

    const callbacks = sessions.filter((s) => s.callback).map((s) => s.id);
    all.push(
      ...(await rollingDeploy({
        client,
        pool,
        compose,
        agntix,
        webhookUrl: `${replicas[0]}/webhooks/agntix`,
        webhookSecret,
        followUpRoots: callbacks,
        startGreen: async () => void (await startWorker('worker-green', 'worker-3 (build-b)')),
        stopBlue: async () => {
          for (const [name, p] of workers) if (!name.includes('build-b')) await p.stop();
        },
        log,
      })),
    );

    const byOutcome: Record<string, number> = {};
    for (const r of results)
      byOutcome[`${r.label}:${r.outcome ?? r.status}`] = (byOutcome[`${r.label}:${r.outcome ?? r.status}`] ?? 0) + 1;
    const retried = results.filter((r) => r.attempts > 1).length;
    log('');
    log('--- figures');
    for (const [name, ms] of cluster.timings) log(`  ${name.padEnd(52)} ${seconds(ms)}`);
    log(`  ${'workers ready (bundling included)'.padEnd(52)} ${seconds(Math.max(w1.ms, w2.ms))}`);
    log(
      `  sessions ${SESSIONS} (${sessions.filter((s) => s.callback).length} asking for a callback), deliveries ${results.length}, retried after 5xx/reset ${retried}`,
    );
    log(`  answers ${JSON.stringify(byOutcome)}`);
    log(
      `  kills 1 (worker-1 by SIGKILL at ${seconds(killedAt - trafficStarted)} into traffic), restarted and polling in ${seconds(restarted?.ms ?? 0)}`,
    );
    log(`  traffic ${seconds(trafficMs)}, all outcomes recorded ${seconds(outcomesMs)} after traffic began`);
    log(`  follow-ups scheduled by ${JSON.stringify(followUps.byWorker)}`);
    log('--- checks');
    for (const c of all) log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    log(`total ${seconds(Date.now() - t0)}`);
    const failed = all.filter((c) => !c.ok).length;
    if (failed === 0) rmSync(workDir, { recursive: true, force: true });
    else log(`${failed} check(s) failed; logs kept in ${workDir}`);
    return failed === 0 ? 0 : 1;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await connection.close();
    await pool.end();
    await agntix.close();
    await receiver.close();
    await cluster.stop();
  }
}

/** Waits until PostgreSQL holds a final outcome and its transcript for every session; returns the time since `since`. */
async function waitForOutcomes(pool: Pool, ids: string[], since: number): Promise<number> {
  let last = -1;
  for (const until = Date.now() + OUTCOMES_TIMEOUT_MS; ;) {
    const { rows } = await pool.query<{ n: string }>(
      // Completed with its transcript: a transcript whose fetch died with a killed worker follows the outcome.
      "SELECT count(*) AS n FROM sessions WHERE session_id = ANY($1) AND kind = 'completed' AND transcript_ref IS NOT NULL",
      [ids],
    );
    const n = Number(rows[0]?.n);
    if (n >= ids.length) return Date.now() - since;
    if (n !== last) log(`  outcomes recorded: ${n}/${ids.length}`);
    last = n;
    if (Date.now() > until) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Visibility is updated asynchronously: retry a check for a few seconds before reporting it failed. */
async function eventually(run: () => Promise<checks.Check>, timeoutMs = 30_000): Promise<checks.Check> {
  for (const until = Date.now() + timeoutMs; ;) {
    const result = await run();
    if (result.ok || Date.now() > until) return result;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
