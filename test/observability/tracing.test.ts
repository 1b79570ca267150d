import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import {
  DefaultLogger,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type LogEntry,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createActivities } from '../../src/activities';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createOutcomeWebhookSink } from '../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { DEFAULT_RULES } from '../../src/automations/ruleSchema';
import type { SessionResult } from '../../src/contracts';
import { freshSession } from '../../src/dev/examples';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { newSecret, post, sign } from '../../src/dev/signing';
import { createLogger } from '../../src/logging';
import { tracingClientInterceptors } from '../../src/observability/temporalTracing';
import { installTracing } from '../../src/observability/tracing';
import { observedWorkerOptions } from '../../src/observability/worker';
import { createSessionWorker } from '../../src/worker/createWorker';
import { agntixClientsFor } from '../helpers/agntixClients';
import { startTestApi, type TestApi } from '../helpers/api';
import { startOutcomeReceiver } from '../helpers/outcomeReceiver';
import { testPolicy } from '../helpers/policy';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { historiesDir, loadHistory } from '../helpers/histories';
import { waitFor } from '../helpers/wait';
import { throwawayDialLedger } from '../helpers/worker';

const API_KEY = 'pk_test_tracing';
const ROUTE = 'POST /webhooks/agntix';
const quiet = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, log: () => {} };

/**
 * One call's two deliveries through the real API, Temporal and worker, with tracing installed as in production but
 * spans kept in memory: each delivery is one trace rooted at the route, and session.ended's trace reaches the writes
 * to the external systems.
 */
describe('a delivery is one trace, from the webhook route to the external-system write', () => {
  const exporter = new InMemorySpanExporter();
  const secret = newSecret();
  const outcomeSecret = newSecret();
  const logLines: Array<Record<string, unknown>> = [];
  const sdkLogs: LogEntry[] = [];
  let temporal: TestTemporal;
  let agntix: FakeAgntix;
  let receiver: Awaited<ReturnType<typeof startOutcomeReceiver>>;
  let sqlite: ReturnType<typeof createSqliteSink>;
  let api: TestApi;
  let worker: Worker;
  let observed: ReturnType<typeof observedWorkerOptions>;
  let bundle: WorkflowBundleWithSourceMap;
  let running: Promise<void>;

  beforeAll(async () => {
    installTracing('agntix-test', new SimpleSpanProcessor(exporter));
    Runtime.install({ logger: new DefaultLogger('WARN', (entry) => sdkLogs.push(entry)) });
    temporal = await connectTestTemporal();
    agntix = await startFakeAgntix({ apiKey: API_KEY, pageSize: 3 });
    receiver = await startOutcomeReceiver(outcomeSecret);
    const dir = mkdtempSync(path.join(tmpdir(), 'tracing-'));
    sqlite = createSqliteSink(path.join(dir, 'outcomes.sqlite'));
    const taskQueue = uniqueTaskQueue('tracing');

    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const client = new Client({ connection: temporal.client.connection, interceptors: tracingClientInterceptors() });
    api = await startTestApi(client, taskQueue, [secret], { logger: createLogger('info', logs) });

    const sinks = [sqlite, createOutcomeWebhookSink(receiver.url, outcomeSecret, 5000)];
    observed = observedWorkerOptions(sinks.map((s) => s.name));
    bundle = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../../src/workflows'),
      workflowInterceptorModules: observed.interceptors?.workflowModules,
      logger: quiet,
    });
    worker = await createSessionWorker({
      connection: temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({
        dialLedger: throwawayDialLedger(),
        dialAbsenceSettleMs: 0,
        agntix: agntixClientsFor(agntix.url, API_KEY).agntix,
        transcripts: createLocalTranscriptStore(path.join(dir, 'transcripts')),
        sinks,
        policy: { ...testPolicy, voiceTtlSeconds: 30, sinks: sinks.map((s) => s.name) },
        rules: DEFAULT_RULES,
        transcriptPageSize: 100,
        maxTranscriptPages: 1,
      }),
      // With a pre-built bundle, the workflow interceptor modules are in the bundle, not the worker's options.
      interceptors: { activity: observed.interceptors?.activity },
      sinks: observed.sinks,
    });
    running = worker.run();
  }, 60_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await api?.close();
    sqlite?.db.close();
    await agntix?.close();
    await receiver?.close();
    await temporal?.close();
  });

  const spans = () => exporter.getFinishedSpans();
  const byId = () => new Map(spans().map((s) => [s.spanContext().spanId, s]));
  /** The span's ancestry up to its trace's root, nearest first. */
  function ancestry(span: ReadableSpan): string[] {
    const all = byId();
    const names: string[] = [];
    for (let parent = span.parentSpanId; parent; parent = all.get(parent)?.parentSpanId) {
      names.push(all.get(parent)?.name ?? `missing ${parent}`);
    }
    return names;
  }

  it('session.ended: route → Temporal call → signal → activities → the write to each external system', async () => {
    const sessionId = randomUUID();
    // Four messages, three a page, one page allowed: the archive is truncated and says so in its log.
    const messages = ['hi', 'hello', 'a complaint', 'bye'].map((content, i) => ({
      id: `m${i}`,
      role: 'USER',
      content,
    }));
    agntix.sessions.set(sessionId, { messages });
    const deliver = async (name: string) => {
      const res = await post(`${api.url}/webhooks/agntix`, sign(secret, freshSession(name, sessionId)));
      expect(res.status).toBe(200);
    };
    await deliver('session-created.voice-outbound.json');
    await deliver('session-ended.unresolved-complaint.json');
    const result = (await temporal.client.workflow.getHandle(sessionId).result()) as SessionResult;
    expect(result.phase).toBe('done');
    const ofSession = (name: string) =>
      spans().filter((s) => s.name === name && s.attributes.temporalWorkflowId === sessionId);
    await waitFor(() => ofSession('RunWorkflow:sessionWorkflow').length === 1, 'the workflow span to be exported');

    // Each delivery is its own trace, rooted at the route's span.
    const routes = spans().filter((s) => s.name === ROUTE);
    expect(routes).toHaveLength(2);
    expect(routes.every((s) => s.parentSpanId === undefined)).toBe(true);
    const [createdTrace, endedTrace] = routes.map((s) => s.spanContext().traceId);
    expect(createdTrace).not.toBe(endedTrace);

    // The delivery that started the workflow holds its run.
    const run = ofSession('RunWorkflow:sessionWorkflow')[0]!;
    expect(run.spanContext().traceId).toBe(createdTrace);
    expect(ancestry(run)).toEqual(['SignalWithStartWorkflow:sessionWorkflow', ROUTE]);

    // session.ended's trace reaches the external-system write, through the route, the Temporal call and the signal.
    const writes = ofSession('RunActivity:recordOutcomeEverywhere').filter(
      (s) => s.spanContext().traceId === endedTrace,
    );
    expect(writes).toHaveLength(1); // the completed outcome, to both systems in one activity
    for (const write of writes) {
      expect(ancestry(write)).toEqual([
        'StartActivity:recordOutcomeEverywhere',
        'HandleSignal:agntixEvent',
        'SignalWithStartWorkflow:sessionWorkflow',
        ROUTE,
      ]);
    }
    const archive = ofSession('RunActivity:archiveTranscript');
    expect(archive.map((s) => s.spanContext().traceId)).toEqual([endedTrace]);
    expect(receiver.forSession(sessionId).map((r) => r.type)).toContain('session.completed');

    // The delivery's log line carries its trace id: from a log line to the trace, and by sessionId to the workflow.
    const logged = logLines.filter((l) => l.msg === 'webhook delivery' && l.sessionId === sessionId);
    expect(logged.map((l) => l.trace_id)).toEqual([createdTrace, endedTrace]);
    // An activity's own log line, through the SDK's logger, carries the trace it runs in.
    const truncated = sdkLogs.find((e) => e.message === 'transcript truncated at the page bound');
    expect(truncated?.meta).toMatchObject({ workflowId: sessionId, trace_id: endedTrace });
  });

  it('replays sessions recorded without tracing: turning it on breaks no running session', async () => {
    const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      await Worker.runReplayHistory({ workflowBundle: bundle, sinks: observed.sinks }, loadHistory(file), file);
    }
  });
});
