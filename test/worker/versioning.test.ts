import { status as grpcStatus } from '@grpc/grpc-js';
import { isGrpcServiceError, type WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../src/activities';
import { followUpWorkflowId, rescheduleFollowUpUpdate } from '../../src/contracts';
import { DEFAULT_RULES } from '../../src/automations/ruleSchema';
import { createSessionWorker } from '../../src/worker/createWorker';
import { workerDeploymentFrom } from '../../src/worker/versioning';
import { agntixClientsFor } from '../helpers/agntixClients';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { startTestApi, type TestApi } from '../helpers/api';
import { anyHour, testPolicy } from '../helpers/policy';
import {
  bundleWorkflows,
  connectTestTemporal,
  uniqueTaskQueue,
  type TestTemporal,
  testDataConverter,
} from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { freshSession } from '../../src/dev/examples';
import { newSecret, post, sign } from '../../src/dev/signing';
import { throwawayDialLedger } from '../helpers/worker';

const API_KEY = 'pk_test_versioning';
const { VersioningBehavior } = proto.api.enums.v1;
/** Any day, any hour, but never sooner than a day: the follow-up waits, as real ones do. */
const aDayAhead = anyHour(24 * 3600_000);

describe('rolling deploys with Worker Deployment versioning', () => {
  const secret = newSecret();
  let temporal: TestTemporal;
  let bundle: WorkflowBundleWithSourceMap;
  let agntix: FakeAgntix;
  let api: TestApi;
  const taskQueue = uniqueTaskQueue('versioning');
  const deploymentName = `agntix-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    bundle = await bundleWorkflows();
    agntix = await startFakeAgntix({ apiKey: API_KEY, pageSize: 3 });
    api = await startTestApi(temporal.client, taskQueue, [secret]);
  });
  afterAll(async () => {
    await api?.close();
    await agntix?.close();
    await temporal?.close();
  });

  const worker = (buildId: string): Promise<Worker> =>
    createSessionWorker({
      connection: temporal.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      dataConverter: testDataConverter(),
      workerDeploymentOptions: workerDeploymentFrom({
        WORKER_DEPLOYMENT_NAME: deploymentName,
        WORKER_BUILD_ID: buildId,
      }),
      activities: createActivities({
        dialLedger: throwawayDialLedger(),
        dialAbsenceSettleMs: 0,
        ...agntixClientsFor(agntix.url, API_KEY),
        transcripts: {
          put: () => Promise.resolve('ref'),
          get: () => Promise.resolve(undefined),
          read: () => Promise.resolve([]),
          remove: () => Promise.resolve(false),
          savePage: () => Promise.resolve(),
          loadPages: () => Promise.resolve([]),
        },
        sinks: [],
        policy: {
          ...testPolicy,
          voiceTtlSeconds: 600,
          followUp: {
            phoneNumberId: 'pn-test',
            ttlSeconds: 60,
            maxAttempts: 3,
            maxDials: 1,
            confirmGraceSeconds: 60,
            rules: aDayAhead,
            fields: { day: 'preferredDay', window: 'preferredTimeWindow' },
          },
        },
        rules: DEFAULT_RULES,
        transcriptPageSize: 100,
        maxTranscriptPages: 5,
      }),
    });

  /** What an operator runs to roll a build out: `temporal worker deployment set-current-version`. */
  async function makeCurrent(buildId: string) {
    await waitFor(
      async () => {
        try {
          await temporal.client.workflowService.setWorkerDeploymentCurrentVersion({
            namespace: 'default',
            deploymentName,
            buildId,
            identity: 'versioning-test',
          });
          return true;
        } catch (err) {
          // The version exists once its workers have polled; until then the server does not know it.
          if (isGrpcServiceError(err) && [grpcStatus.NOT_FOUND, grpcStatus.FAILED_PRECONDITION].includes(err.code)) {
            return false;
          }
          throw err;
        }
      },
      `build ${buildId} to become current`,
      30_000,
    );
  }

  const versioning = async (handle: WorkflowHandle) => {
    const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
    return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId };
  };
  const deliver = (payload: Record<string, unknown>) => post(`${api.url}/webhooks/agntix`, sign(secret, payload));

  it('finishes a running session on the build that started it, and moves a waiting follow-up to the new build', async () => {
    const v1 = await worker('v1');
    const v2 = await worker('v2');
    const running = v1.run();
    let runningV2: Promise<void> | undefined;
    try {
      await makeCurrent('v1');
      const sessionId = randomUUID();
      const session = temporal.client.workflow.getHandle(sessionId);
      agntix.sessions.set(sessionId, { messages: [{ id: 'm1', role: 'user', content: 'call me back' }] });
      await deliver(freshSession('session-created.voice-outbound.json', sessionId));
      await waitFor(async () => (await versioning(session)).buildId === 'v1', 'the session to run on v1');
      expect(await versioning(session)).toEqual({
        behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
        buildId: 'v1',
      });

      runningV2 = v2.run();
      await makeCurrent('v2');
      const newSessionId = randomUUID();
      await deliver(freshSession('session-created.voice-outbound.json', newSessionId));
      const newSession = temporal.client.workflow.getHandle(newSessionId);
      await waitFor(async () => (await versioning(newSession)).buildId === 'v2', 'a new session to start on v2');

      // The first session ends after the roll-out: v1, still running, finishes it.
      await deliver(freshSession('session-ended.voice-callback-requested.json', sessionId));
      await session.result();
      expect(await versioning(session)).toEqual({
        behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
        buildId: 'v1',
      });

      // Its follow-up waits a day; its next task (an operator's reschedule) runs on the current build.
      const followUp = temporal.client.workflow.getHandle(followUpWorkflowId(sessionId, 1));
      // It starts on its parent's build and declares auto-upgrade when its first task completes.
      await waitFor(
        async () => (await versioning(followUp)).behavior === VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
        'the follow-up to declare auto-upgrade',
      );
      const at = new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
      await followUp.executeUpdate(rescheduleFollowUpUpdate, { args: [{ at, force: true }] });
      expect(await versioning(followUp)).toEqual({
        behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
        buildId: 'v2',
      });
      await followUp.terminate('test over');
      await newSession.terminate('test over');
    } finally {
      v1.shutdown();
      await running;
      if (runningV2) {
        v2.shutdown();
        await runningV2;
      }
    }
  });
});
