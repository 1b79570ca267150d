import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { dataConverterFor } from '../../src/temporal/dataConverter';
import { parseKeyRing, type KeyRing } from '../../src/temporal/keyRing';

export function testAddress(): string {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests with `npm test`');
  return address;
}

/** The suite's payload keys (made by the global setup), as production's PAYLOAD_ENCRYPTION_KEYS. */
export function testKeyRing(): KeyRing {
  const keys = process.env.TEST_PAYLOAD_ENCRYPTION_KEYS;
  if (!keys) throw new Error('TEST_PAYLOAD_ENCRYPTION_KEYS is not set: run the tests with `npm test`');
  return parseKeyRing(keys);
}

/** The service's data converter with the suite's keys: what every test client and worker uses. */
export function testDataConverter(): DataConverter {
  return dataConverterFor({ PAYLOAD_ENCRYPTION_KEYS: testKeyRing(), PAYLOAD_ENCRYPTION: 'on' });
}

export interface TestTemporal {
  address: string;
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Connections to the suite's real dev server; the client encrypts payloads as the service does. */
export async function connectTestTemporal(): Promise<TestTemporal> {
  quietRuntime();
  const address = testAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, dataConverter: testDataConverter() }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** Bundles the workflow code once per test file. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../../src/workflows'), logger: quietLogger });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/** A unique task queue per test, so no worker of another test picks up its workflows. */
export const uniqueTaskQueue = (prefix: string) => `${prefix}-${randomUUID()}`;

/** Keeps worker logs to warnings so test output stays readable. Installs once per process. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by an earlier test file
  }
}
