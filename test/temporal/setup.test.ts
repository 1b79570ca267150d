import { setupNamespace } from '../../src/temporal/setup';
import { SearchAttributes } from '../../src/contracts';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';
import { Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import Long from 'long';

describe('setupNamespace (npm run temporal:setup)', () => {
  let temporal: TestTemporal;
  let connection: Connection;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
    connection = await Connection.connect({ address: temporal.address });
  });
  afterAll(async () => {
    await connection.close();
    await temporal.close();
  });

  it('registers every search attribute on a fresh namespace, and a second run adds nothing', async () => {
    const namespace = `setup-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    const first = await setupNamespace(connection, namespace);
    expect(first.added.sort()).toEqual(
      Object.values(SearchAttributes)
        .map((k) => k.name)
        .sort(),
    );
    const second = await setupNamespace(connection, namespace);
    expect(second.added).toEqual([]);
  });

  it('creates a namespace that does not exist yet, with retention above the webhook retry window', async () => {
    const namespace = `setup-new-${randomUUID().slice(0, 8)}`;
    const result = await setupNamespace(connection, namespace);
    expect(result.created).toBe(true);
    const described = await connection.workflowService.describeNamespace({ namespace });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBeGreaterThanOrEqual(3 * 24 * 3600);
    expect((await setupNamespace(connection, namespace)).created).toBe(false);
  });
});
