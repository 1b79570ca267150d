import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { playDemo, type DemoResult } from '../../src/dev/sandbox/demo';
import { deliverSigned, newSecret } from '../../src/dev/signing';
import { example } from '../../src/dev/examples';
import type { SessionResult } from '../../src/contracts';
import { testAddress } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { scrape, total, type Exposition } from './exposition';
import { ALERTS_FILE, ALERT_TESTS_FILE, alertRules, dashboardQueries, findPromtool, type Query } from './opsFiles';
import { labelsUsed, seriesNames, withoutGrafanaVariables } from './promql';
import { startDeployedStack, type DeployedStack } from './stack';

/*
 * What an operator's Prometheus finds on the worker and the API after real sessions, the demo call (transcript,
 * outcome, a follow-up placed and its call's own session) and a call whose session.ended never comes, and whether
 * the dashboard and the alert rules use only what is found there.
 */
let stack: DeployedStack;
let connection: Connection;
let demo: DemoResult;
let expired: SessionResult;
let worker: { text: string; exposition: Exposition };
let api: { text: string; exposition: Exposition };
let firstScrape: Set<string>;

beforeAll(async () => {
  stack = await startDeployedStack();
  firstScrape = new Set([
    ...(await scrape(stack.workerMetricsUrl)).exposition.names,
    ...(await scrape(`${stack.apiUrl}/metrics`)).exposition.names,
  ]);
  connection = await Connection.connect({ address: testAddress() });
  const client = new Client({ connection });
  // The outcome webhook refuses the first completed outcome once: a failed write, then a retry that lands.
  stack.receiver.failFirst.set('session.completed', 1);

  const openCall = async () => {
    const res = await fetch(`${stack.sandbox.url}/sandbox/sessions`, { method: 'POST' });
    const { sessionId } = (await res.json()) as { sessionId: string };
    return (await client.workflow.getHandle(sessionId).result()) as SessionResult;
  };
  const say = () => undefined;
  [demo, expired] = await Promise.all([
    playDemo({ sandboxUrl: stack.sandbox.url, client, uiUrl: '', namespace: 'default', say, timeoutMs: 30_000 }),
    openCall(), // never ended: reconciled while the API says it is open, then expired
  ]);
  // Deliveries the API refuses or ignores: a bad signature, an event name of the sender's own.
  await deliverSigned(`${stack.apiUrl}/webhooks/agntix`, newSecret(), example('session-created.voice-outbound.json'));
  await deliverSigned(`${stack.apiUrl}/webhooks/agntix`, stack.secret, { eventType: 'acme.private-event-name' });

  // A workflow's counters reach the runtime's exporter when its task completes, which on a loaded machine can trail
  // the client's view of the result: scrape once the three sessions are all counted (bounded).
  await waitFor(
    async () => total((await scrape(stack.workerMetricsUrl)).exposition, 'agntix_sessions_finished_total') >= 3,
    'the three finished sessions to be counted',
  );
  worker = await scrape(stack.workerMetricsUrl);
  api = await scrape(`${stack.apiUrl}/metrics`);
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await connection?.close();
});

describe('metrics of a running worker and API after real sessions', () => {
  it('serves the SDK worker metrics: task latencies, schedule-to-start, slots', () => {
    const w = worker.exposition;
    expect(total(w, 'temporal_workflow_task_schedule_to_start_latency_seconds_count')).toBeGreaterThan(0);
    expect(total(w, 'temporal_activity_schedule_to_start_latency_seconds_count')).toBeGreaterThan(0);
    expect(total(w, 'temporal_workflow_task_execution_latency_seconds_count')).toBeGreaterThan(0);
    expect(total(w, 'temporal_activity_execution_latency_seconds_count')).toBeGreaterThan(0);
    expect(total(w, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(w.types.get('temporal_worker_task_slots_used')).toBe('gauge');
  });

  it('counts sessions by final phase, outcome class and source, and the expiry', () => {
    const w = worker.exposition;
    expect(expired.phase).toBe('expired');
    const finished = (labels: Record<string, string>) => total(w, 'agntix_sessions_finished_total', labels);
    expect(finished({ phase: 'follow-up-scheduled', outcome_class: 'callback-requested', source: 'webhook' })).toBe(1);
    expect(finished({ phase: 'done', outcome_class: 'partially-resolved', source: 'webhook' })).toBe(1); // the call
    expect(finished({ phase: 'expired', outcome_class: 'expired', source: 'none' })).toBe(1);
    expect(finished({})).toBe(3);
    expect(total(w, 'agntix_session_expiries_total', { webhooks_seen: 'session.created' })).toBe(1);
    // The expired call was asked about after its ttl and after each interval, and was open every time.
    expect(total(w, 'agntix_session_reconciliations_total', { result: 'open' })).toBeGreaterThanOrEqual(6);
  });

  it('counts transcript pages, external writes and failures by system, follow-up states and dials', () => {
    const w = worker.exposition;
    expect(total(w, 'agntix_transcript_pages_total')).toBe(6); // nine messages, four a page, two calls
    const writes = (labels: Record<string, string>) => total(w, 'agntix_external_writes_total', labels);
    expect(writes({ system: 'outcome-webhook', result: 'failed' })).toBe(1);
    expect(writes({ system: 'outcome-webhook', result: 'ok' })).toBe(stack.receiver.recorded.size);
    expect(writes({ system: 'sqlite', result: 'ok' })).toBe(stack.receiver.recorded.size);
    expect(writes({ system: 'sqlite', result: 'failed' })).toBe(0);
    for (const state of ['scheduled', 'dialling', 'placed']) {
      expect(total(w, 'agntix_follow_up_states_total', { state })).toBe(1);
    }
    expect(total(w, 'agntix_follow_up_dials_total', { result: 'placed' })).toBe(1);
    expect(total(w, 'agntix_follow_up_dials_total')).toBe(1);
  });

  it('starts the counters the alerts watch at zero, in the same series the workflows and activities count in', () => {
    const w = worker.exposition;
    const series = (name: string, labels: Record<string, string>) =>
      w.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(series('agntix_follow_up_states_total', { state: 'needs-operator' }).map((s) => s.value)).toEqual([0]);
    expect(series('agntix_follow_up_states_total', { state: 'placed' }).map((s) => s.value)).toEqual([1]);
    expect(series('agntix_session_expiries_total', { webhooks_seen: 'none' }).map((s) => s.value)).toEqual([0]);
    expect(series('agntix_session_expiries_total', { webhooks_seen: 'session.created' }).map((s) => s.value)).toEqual([
      1,
    ]);
    // A write is counted by the activity that made it: the shared write of an event, or a system's own after that.
    for (const activityType of ['recordOutcomeEverywhere', 'recordOutcome']) {
      const writes = (labels: Record<string, string>) =>
        series('agntix_external_writes_total', { activityType, ...labels }).map((s) => s.value);
      expect(writes({ system: 'sqlite', result: 'failed' })).toEqual([0]);
      expect(writes({ system: 'outcome-webhook', result: 'failed' })).toHaveLength(1);
    }
    expect(series('agntix_follow_up_dials_total', { result: 'rejected' }).map((s) => s.value)).toEqual([0]);
    expect(series('agntix_follow_up_dials_total', { result: 'placed' }).map((s) => s.value)).toEqual([1]);
  });

  it("names the service's series as Prometheus does: snake_case, counters in _total, units in histograms", () => {
    // The SDK adds camelCase tags of its own (namespace, taskQueue, workflowType, activityType) to every metric of
    // a worker, outside any interceptor's reach; the labels this service chooses are snake_case.
    const sdkTags = new Set(['namespace', 'taskQueue', 'workflowType', 'activityType']);
    for (const { exposition } of [worker, api]) {
      const ours = [...exposition.types].filter(([family]) => family.startsWith('agntix_'));
      expect(ours.length).toBeGreaterThan(0);
      for (const [family, type] of ours) {
        expect(family).toMatch(/^[a-z][a-z0-9_]*$/);
        if (type === 'counter') expect(family).toMatch(/_total$/);
        if (type === 'histogram') expect(family).toMatch(/_(seconds|bytes)$/);
        if (type !== 'counter') expect(family).not.toMatch(/_total$/);
      }
      const labels = exposition.samples
        .filter((s) => s.name.startsWith('agntix_'))
        .flatMap((s) => Object.keys(s.labels));
      for (const label of labels) if (!sdkTags.has(label)) expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('puts no payload value in a label: no session id, phone number, callOutcome text or event name', () => {
    for (const text of [worker.text, api.text]) {
      for (const value of [demo.sessionId, demo.callSessionId, expired.sessionId, '447700900412', 'Unavailable']) {
        expect(text).not.toContain(value);
      }
      expect(text).not.toContain('acme.private-event-name');
    }
    const a = api.exposition;
    expect(total(a, 'agntix_webhook_deliveries_total', { event_type: 'other', outcome: 'ignored' })).toBe(1);
    expect(total(a, 'agntix_webhook_deliveries_total', { event_type: 'none', outcome: 'rejected' })).toBe(1);
    expect(total(a, 'agntix_webhook_verification_failures_total')).toBe(1);
  });
});

describe('the dashboard and the alert rules (ops/)', () => {
  const queries: Query[] = [...alertRules(), ...dashboardQueries()];
  const exported = () => new Set([...api.exposition.names, ...worker.exposition.names]);
  const samplesOf = (name: string) =>
    [...api.exposition.samples, ...worker.exposition.samples].filter((s) => s.name === name);

  it('use only series the running API and worker export', () => {
    expect(queries.length).toBeGreaterThan(20);
    const names = exported();
    const problems = queries.flatMap(({ where, expr }) => {
      const used = seriesNames(expr);
      if (used.size === 0) return [`${where}: no series found in ${expr}`];
      return [...used].filter((n) => !names.has(n)).map((n) => `${where}: ${n} is not exported`);
    });
    expect(problems).toEqual([]);
  });

  it("export every one of the service's series they name from the first scrape, before any session", () => {
    const named = new Set(queries.flatMap(({ expr }) => [...seriesNames(expr)]).filter((n) => n.startsWith('agntix_')));
    expect(named).toContain('agntix_session_reconciliations_total');
    expect(named).toContain('agntix_temporal_call_errors_total');
    expect([...named].filter((n) => !firstScrape.has(n))).toEqual([]);
  });

  it('match and group by labels those series carry', () => {
    const problems = queries.flatMap(({ where, expr }) => {
      const { grouping, matchers } = labelsUsed(expr);
      const labelsOf = (name: string) => new Set(samplesOf(name).flatMap((s) => Object.keys(s.labels)));
      const counted = [...seriesNames(expr)].filter((n) => samplesOf(n).length > 0);
      const carried = new Set(counted.flatMap((n) => [...labelsOf(n)]));
      return [
        ...(counted.length > 0
          ? grouping.filter((l) => !carried.has(l)).map((l) => `${where}: no series has ${l}`)
          : []),
        ...matchers.flatMap(({ series, labels }) => {
          const own = labelsOf(series);
          return own.size > 0 ? labels.filter((l) => !own.has(l)).map((l) => `${where}: ${series} has no ${l}`) : [];
        }),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('warn about refused deliveries, expiring sessions, failing systems, stuck follow-ups and waiting tasks', () => {
    const alerts = alertRules();
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'AgntixDeliveriesUnavailable',
        'AgntixDeliveriesUnauthorized',
        'AgntixSessionsExpiring',
        'AgntixExternalSystemFailing',
        'AgntixFollowUpNeedsOperator',
        'AgntixWorkflowTasksWaiting',
      ]),
    );
    // Each alert's runbook is a section of docs/operations.md.
    const docs = readFileSync(path.resolve(__dirname, '../../docs/operations.md'), 'utf8');
    const anchors = new Set(
      [...docs.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const withoutSection = alerts.filter(({ runbook }) => !anchors.has(runbook?.split('docs/operations.md#')[1] ?? ''));
    expect(withoutSection.map(({ alert, runbook }) => `${alert}: ${runbook ?? 'no runbook'}`)).toEqual([]);
  });

  // .ci/run installs promtool and sets REQUIRE_PROMTOOL, so CI never skips this; a laptop without it does, visibly.
  const promtool = findPromtool();
  const withPromtool = promtool || process.env.REQUIRE_PROMTOOL ? it : it.skip;

  withPromtool(
    'parse with promtool, dashboard queries included, and the alerts fire as alerts.test.yml expects',
    () => {
      if (!promtool) throw new Error('promtool not found: set PROMTOOL, or run .ci/run once to install it');
      const dir = mkdtempSync(path.join(tmpdir(), 'promtool-'));
      const dashboardRules = path.join(dir, 'dashboard-queries.yml');
      const rules = dashboardQueries().map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        expr: withoutGrafanaVariables(expr),
      }));
      writeFileSync(dashboardRules, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const run = (...args: string[]) => execFileSync(promtool, args, { encoding: 'utf8', stdio: 'pipe' });
      expect(run('check', 'rules', ALERTS_FILE, dashboardRules)).toMatch(/SUCCESS/);
      expect(run('test', 'rules', ALERT_TESTS_FILE)).toMatch(/SUCCESS/);
    },
  );
});
