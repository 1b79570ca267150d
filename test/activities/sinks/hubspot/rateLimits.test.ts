import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createSinkActivities } from '../../../../src/activities/sinks/activities';
import { SessionCreated, SessionEnded } from '../../../../src/contracts/agntixEvents';
import { freshSession } from '../../../../src/dev/examples';
import {
  ALL_SCOPES,
  SANDBOX_HUBSPOT_TOKEN,
  startFakeHubSpot,
  type FakeHubSpot,
} from '../../../../src/dev/sandbox/fakeHubspot';
import { buildOutcome } from '../../../../src/workflows/session/outcome';
import { hubspotSinkFor } from '../../../helpers/hubspot';
import { testPolicy } from '../../../helpers/policy';
import { connectTestTemporal, testDataConverter, type TestTemporal } from '../../../helpers/temporal';

const CALLS_UPSERT = 'POST /crm/v3/objects/calls/batch/upsert';

describe('HubSpot rate limits under the retry policy the sessions use', () => {
  let temporal: TestTemporal;
  let bundle: WorkflowBundleWithSourceMap;
  let hub: FakeHubSpot;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
    bundle = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'oneSinkWrite.ts') });
  });
  afterAll(() => temporal.close());
  beforeEach(async () => {
    hub = await startFakeHubSpot({ tokens: { [SANDBOX_HUBSPOT_TOKEN]: ALL_SCOPES } });
  });
  afterEach(() => hub.close());

  it('a write rate-limited four times, then answered 502 once, is retried after the first backoff (1 s), not 2^4 s', async () => {
    const sink = await hubspotSinkFor(hub);
    const taskQueue = `rate-limits-${randomUUID()}`;
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: testDataConverter(),
      activities: createSinkActivities([sink]),
    });
    const sessionId = randomUUID();
    const event = buildOutcome({
      kind: 'completed',
      sessionId,
      source: 'webhook',
      created: SessionCreated.parse(freshSession('session-created.voice-outbound.json', sessionId)),
      ended: SessionEnded.parse(freshSession('session-ended.voice-callback-requested.json', sessionId)),
      phase: 'post-call',
      policy: testPolicy,
      now: new Date(),
    });
    hub.faults.push(
      { route: CALLS_UPSERT, times: 4, status: 429, headers: { 'Retry-After': '1' } },
      { route: CALLS_UPSERT, times: 1, status: 502 },
    );
    const handle = await worker.runUntil(async () => {
      const started = await temporal.client.workflow.start('oneSinkWrite', {
        taskQueue,
        workflowId: `rate-limits-${sessionId}`,
        args: ['hubspot', event, { phoneNumber: '+447700900413' }],
      });
      await started.result();
      return started;
    });

    const upserts = hub.requests.filter((r) => `${r.method} ${r.path}` === CALLS_UPSERT);
    expect(upserts.map((r) => r.status)).toEqual([429, 429, 429, 429, 502, 200]);
    const afterFailure = upserts[5]!.at - upserts[4]!.at;
    expect(afterFailure).toBeGreaterThanOrEqual(900);
    expect(afterFailure).toBeLessThan(3000);
    // The rate limits were waited out inside the first attempt: the 502 cost one attempt, the 429s none.
    const { events } = await handle.fetchHistory();
    const attempts = (events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter(Boolean);
    expect(attempts).toEqual([2]);
  });
});
