import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApi, type RunningApi } from '../../src/api/server';
import { loadConfig } from '../../src/config';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { sandboxEnv } from '../../src/dev/sandbox/env';
import { newSecret } from '../../src/dev/signing';
import { createLogger } from '../../src/logging';
import { runWorker, type RunningWorker } from '../../src/worker/run';
import { installRuntime } from '../../src/worker/runtime';
import { freePort } from '../helpers/freePort';
import { startOutcomeReceiver } from '../helpers/outcomeReceiver';
import { testAddress, uniqueTaskQueue } from '../helpers/temporal';

export interface DeployedStack {
  apiUrl: string;
  workerMetricsUrl: string;
  sandbox: FakeAgntix;
  receiver: Awaited<ReturnType<typeof startOutcomeReceiver>>;
  secret: string;
  close(): Promise<void>;
}

/**
 * The API and the worker as their entry points start them (startApi, runWorker, the runtime with its Prometheus
 * endpoint), on the suite's dev server, with the Agntix sandbox as their Agntix and an outcome receiver as their
 * external system. Short timers: a session ends or is reconciled within seconds. Call once per test file, first:
 * the runtime is installed once per module registry.
 */
export async function startDeployedStack(): Promise<DeployedStack> {
  const metricsPort = await freePort();
  installRuntime('warn', metricsPort);
  const secret = newSecret();
  const outcomeSecret = newSecret();
  const receiver = await startOutcomeReceiver(outcomeSecret);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deployed-'));
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    TEMPORAL_ADDRESS: testAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('deployed'),
    AGNTIX_WEBHOOK_SECRET: secret,
    DATA_DIR: dataDir,
    OUTCOME_WEBHOOK_URL: receiver.url,
    OUTCOME_WEBHOOK_SECRET: outcomeSecret,
    SESSION_VOICE_TTL_SECONDS: '1',
    SESSION_END_GRACE_SECONDS: '0',
    SESSION_RECONCILE_ATTEMPTS: '5',
    SESSION_RECONCILE_INTERVAL_SECONDS: '1',
    SESSION_LATE_END_WINDOW_SECONDS: '1', // the expired call closes within the test
    FOLLOWUP_MIN_DELAY_MINUTES: '0.02',
    FOLLOWUP_DEFAULT_DELAY_MINUTES: '0.02',
    WORKER_METRICS_PORT: String(metricsPort),
  };
  const logger = createLogger('silent');
  const api: RunningApi = await startApi(loadConfig(env), logger, env);
  const apiUrl = `http://127.0.0.1:${api.port}`;
  const sandbox = await startFakeAgntix({ webhooks: { url: `${apiUrl}/webhooks/agntix`, secret }, callSeconds: 1 });
  const workerEnv = sandboxEnv(sandbox.url, env);
  const worker: RunningWorker = await runWorker(loadConfig(workerEnv), logger, workerEnv);
  return {
    apiUrl,
    workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    sandbox,
    receiver,
    secret,
    async close() {
      await api.close();
      await worker.stop();
      await sandbox.close();
      await receiver.close();
    },
  };
}
