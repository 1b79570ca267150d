import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../src/activities';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createOutcomeWebhookSink } from '../../src/activities/sinks/outcomeWebhook/sink';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { newSecret, post, sign } from '../../src/dev/signing';
import { agntixClientsFor } from './agntixClients';
import { startTestApi, type TestApi } from './api';
import { startOutcomeReceiver } from './outcomeReceiver';
import { bundleWorkflows, connectTestTemporal, testKeyRing, uniqueTaskQueue, type TestTemporal } from './temporal';
import { createTestWorker } from './worker';

/*
 * The peers a workflow test drives sessions through, set up and torn down by Jest's hooks: a Temporal server, the
 * workflow bundle, the Agntix stand-in, a receiver that verifies the signed outcome webhook, a SQLite store and a
 * transcript folder, and the real ingest API on a task queue of each test's own. A test file calls it once in its
 * describe; the fields are ready inside tests and hooks, not while the describe is being collected.
 */

export interface PeerOptions<T extends TestTemporal> {
  /** Names the task queues and the temporary folder, so a leftover is traced to its file. */
  name: string;
  /** The key the Agntix stand-in expects and the clients send. */
  apiKey: string;
  /** Transcript messages per page the stand-in serves (its default when absent). */
  pageSize?: number;
  /** The server: the suite's dev server unless a file needs another (e.g. the time-skipping one). */
  temporal?: () => Promise<T>;
  /** A server per test, where one test's workflows must not hold up the next's clock. */
  temporalPerTest?: boolean;
}

export interface WorkflowPeers<T extends TestTemporal> {
  /** The signing secret of the Agntix webhook (Svix), and of the outcome webhook. */
  readonly secret: string;
  readonly outcomeSecret: string;
  readonly temporal: T;
  readonly bundle: WorkflowBundleWithSourceMap;
  /** A fresh stand-in per test: what one test told it is not another's. */
  readonly agntix: FakeAgntix;
  readonly receiver: Awaited<ReturnType<typeof startOutcomeReceiver>>;
  readonly sqlite: ReturnType<typeof createSqliteSink>;
  readonly transcriptsDir: string;
  readonly api: TestApi;
  readonly taskQueue: string;
  /** Posts a payload to the ingest, signed as Svix signs it. */
  deliver(payload: Record<string, unknown>): ReturnType<typeof post>;
  /**
   * The real session worker on this test's task queue: the Agntix clients pointed at the stand-in, the SQLite store
   * and the outcome webhook as its systems, the transcript folder; `deps` adds or replaces (the policy, at least).
   */
  worker(deps?: Partial<ActivityDeps>, callTimeoutMs?: number): Promise<Worker>;
}

/** The fields the hooks fill in, each read through a getter. */
const FIELDS = [
  'secret',
  'outcomeSecret',
  'temporal',
  'bundle',
  'agntix',
  'receiver',
  'sqlite',
  'transcriptsDir',
  'api',
  'taskQueue',
] as const satisfies ReadonlyArray<keyof WorkflowPeers<TestTemporal>>;

export function useWorkflowPeers<T extends TestTemporal = TestTemporal>(options: PeerOptions<T>): WorkflowPeers<T> {
  const startTemporal = options.temporal ?? (connectTestTemporal as () => Promise<T>);
  type Fields = Omit<WorkflowPeers<T>, 'deliver' | 'worker'>;
  const state: { -readonly [K in keyof Fields]?: Fields[K] } & { secret: string; outcomeSecret: string } = {
    secret: newSecret(),
    outcomeSecret: newSecret(),
  };
  const ready = <K extends keyof typeof state>(key: K): NonNullable<(typeof state)[K]> => {
    const value = state[key];
    if (value === undefined) throw new Error(`workflow peers: ${String(key)} is used before its hook ran`);
    return value;
  };

  beforeAll(async () => {
    if (!options.temporalPerTest) state.temporal = await startTemporal();
    state.bundle = await bundleWorkflows();
    state.receiver = await startOutcomeReceiver(state.outcomeSecret);
    const dir = mkdtempSync(path.join(tmpdir(), `${options.name}-`));
    state.sqlite = createSqliteSink(path.join(dir, 'outcomes.sqlite'));
    state.transcriptsDir = path.join(dir, 'transcripts');
  });
  afterAll(async () => {
    state.sqlite?.db.close();
    await state.receiver?.close();
    if (!options.temporalPerTest) await state.temporal?.close();
  });
  beforeEach(async () => {
    if (options.temporalPerTest) state.temporal = await startTemporal();
    state.taskQueue = uniqueTaskQueue(options.name);
    state.agntix = await startFakeAgntix({
      apiKey: options.apiKey,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
    state.api = await startTestApi(ready('temporal').client, state.taskQueue, [state.secret]);
  });
  afterEach(async () => {
    await state.api?.close();
    await state.agntix?.close();
    if (options.temporalPerTest) await state.temporal?.close();
    state.api = state.agntix = undefined;
  });

  const peers = {
    deliver: (payload: Record<string, unknown>) =>
      post(`${ready('api').url}/webhooks/agntix`, sign(state.secret, payload)),
    worker: (deps: Partial<ActivityDeps> = {}, callTimeoutMs = 5000) =>
      createTestWorker(ready('temporal'), ready('taskQueue'), ready('bundle'), {
        ...agntixClientsFor(ready('agntix').url, options.apiKey, callTimeoutMs),
        transcripts: createLocalTranscriptStore(ready('transcriptsDir'), testKeyRing()),
        sinks: [ready('sqlite'), createOutcomeWebhookSink(ready('receiver').url, state.outcomeSecret, 5000)],
        ...deps,
      }),
  };
  // Each field reads the hooks' state when used, and says which hook has not run when read too early.
  for (const key of FIELDS) {
    Object.defineProperty(peers, key, { get: () => ready(key), enumerable: true });
  }
  return peers as WorkflowPeers<T>;
}
