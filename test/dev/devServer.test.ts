import { MIN_RETENTION_SECONDS } from '../../src/temporal/namespace';
import { SearchAttributes } from '../../src/contracts';
import { TEMPORAL_SERVER_MINOR } from '../../src/dev/temporalPins';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

describe('the dev server the suite runs on', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('is a real Temporal server with the project search attributes registered', async () => {
    const info = await temporal.client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^1\.\d+/);
    const listed = await temporal.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const key of Object.values(SearchAttributes)) expect(Object.keys(listed.customAttributes)).toContain(key.name);
  });

  it('runs the pinned Temporal server minor or a newer one', async () => {
    const info = await temporal.client.workflowService.getSystemInfo({});
    const [major = 0, minor = 0] = (info.serverVersion ?? '').split('.').map(Number);
    const [pinnedMajor = 0, pinnedMinor = 0] = TEMPORAL_SERVER_MINOR.split('.').map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(pinnedMajor * 1000 + pinnedMinor);
  });

  it('retains closed workflows longer than Svix retries a delivery', async () => {
    const ns = await temporal.client.workflowService.describeNamespace({ namespace: 'default' });
    expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBeGreaterThanOrEqual(MIN_RETENTION_SECONDS);
  });
});
