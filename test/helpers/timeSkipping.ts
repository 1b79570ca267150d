import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributes } from '../../src/contracts';
import { timeSkippingServerPath } from '../setup/timeSkippingServer';
import { quietRuntime, testDataConverter, type TestTemporal } from './temporal';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

export interface TimeSkippingTemporal extends TestTemporal {
  env: TestWorkflowEnvironment;
  /**
   * Lets time skip again after a workflow that started a child closed. The Java test server 1.38.0 keeps one
   * time-skipping lock for good once such a workflow closes: after a follow-up placed its call (the call's session is
   * its child, abandoned), the call session's timers would wait in real time. Measured: without it the chain test
   * waited 60 s on the call session's 600 s ttl timer; with one release per placed call it skipped three attempts'
   * days in 3 s.
   */
  releaseClosedParentsLock(): Promise<void>;
  /**
   * A client whose `result()` does not skip time, unlike `client`'s: for a test that reads a workflow while another
   * one waits on a timer it must not pass yet.
   */
  steadyClient: Client;
}

/**
 * Temporal's time-skipping test server, one per test file, for the timers the service sets at production values
 * (a 900 s reconcile interval, a 10 min ttl, a slot days ahead): the server jumps to the next timer whenever no
 * workflow task or activity is running, so hours of workflow time pass in seconds and the activities still run for
 * real. Time is skipped only while `client` awaits a workflow's result, or in `env.sleep`.
 *
 * What it supports is what the Java test server supports: no Worker Deployment versioning (the workers are
 * unversioned, as in the other tests) and no custom search attributes until they are registered, which the dev
 * server does at start (src/dev/devServer.ts) and this does through the operator service, with the same list.
 */
export async function startTimeSkipping(): Promise<TimeSkippingTemporal> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerPath() } },
    client: { dataConverter: testDataConverter() },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.values(SearchAttributes).map((k) => [k.name, INDEXED_TYPE[k.type]])),
  });
  return {
    env,
    address: env.address,
    client: env.client,
    steadyClient: new Client({ connection: env.connection, dataConverter: testDataConverter() }),
    nativeConnection: env.nativeConnection,
    releaseClosedParentsLock: async () => void (await env.connection.testService!.unlockTimeSkipping({})),
    close: () => env.teardown(),
  };
}
