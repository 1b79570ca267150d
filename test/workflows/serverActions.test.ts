import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { measureScenario, type ScenarioName } from '../helpers/actionScenarios';
import { startCountingServer, totalActions, type CountingServer } from '../helpers/serverActions';
import { bundleWorkflows } from '../helpers/temporal';

/**
 * Cost as Temporal counts it: the server's own `action` counter, one scenario at a time on a server of its own
 * (heartbeats, retries and every upsert included). The figures are exact, so a change that adds an action fails
 * here; docs/benchmarks.md says where each action goes (`npm run bench:session-cost`).
 */
describe('actions the Temporal server counts, per kind of session', () => {
  let temporal: CountingServer;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [temporal, bundle] = await Promise.all([startCountingServer(), bundleWorkflows()]);
  });
  afterAll(() => temporal.close());

  // Targets (issue #26): standard ≤ 8 (aimed at 6; 7 is the floor of this design, docs/benchmarks.md says why),
  // expired ≤ 10 including the late-end window's one timer (9 here with the test policy's 2 reconciliations; 10 with
  // the production default of 3), scheduling a
  // follow-up ≤ 10 (the follow-up.scheduled write included), a follow-up that places its call ≤ 8.
  const expected: Record<ScenarioName, number> = { standard: 7, expired: 9, schedulesFollowUp: 10, followUpPlaced: 7 };

  it.each(Object.entries(expected) as [ScenarioName, number][])('%s: %d actions', async (name, actions) => {
    const { counts } = await measureScenario(temporal, bundle, name);
    expect(counts.grpc_RecordActivityTaskHeartbeat).toBeUndefined(); // short activities do not heartbeat
    expect({ name, actions: totalActions(counts), counts }).toMatchObject({ name, actions });
  });
});
