import { Client, Connection } from '@temporalio/client';
import path from 'node:path';
import { newSecret } from '../../src/dev/signing';
import { sandboxEnv } from '../../src/dev/sandbox/env';
import { startFakeAgntix, type FakeAgntix } from '../../src/dev/sandbox/fakeAgntix';
import { installRuntime } from '../../src/worker/runtime';
import { Supervised, startTemporal } from './processes';
import { diceFor } from './random';
import { startFaultyReceiver, type FaultyReceiver } from './receiver';
import { middayZone, serviceTimers, type FaultSettings } from './settings';
import { createSvix, signedBy, type Svix } from './svix';
import { freePort } from '../helpers/freePort';

const TASK_QUEUE = 'agntix-faults';

/** The steps that stop what a run started, run last-first; safe to run twice (on failure, then at exit). */
export class Teardown {
  private readonly steps: Array<() => Promise<unknown>> = [];
  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      await step().catch((err: Error) => console.error(`while stopping: ${err.message}`));
    }
  }
}

/**
 * Everything one fault run drives: a file-backed Temporal dev server, the API and the worker as their own
 * processes (src/bin/api.ts, src/bin/worker.ts, configured by environment like production), the one fake Agntix with
 * faults switched on, a faulty outcome receiver, and a Svix-like sender. Each part adds its stop to the teardown as soon as it runs.
 */
export async function startRig(settings: FaultSettings, runDir: string, teardown: Teardown) {
  installRuntime('error');
  const secret = newSecret();
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const svix: Svix = createSvix(`${apiUrl}/webhooks/agntix`);
  const receiverSecret = newSecret();
  const receiver: FaultyReceiver = await startFaultyReceiver(
    receiverSecret,
    settings.outcomeFailureShare,
    diceFor(settings.seed, 'receiver'),
  );
  const jitter = diceFor(settings.seed, 'svix');
  teardown.add(receiver.close);

  // The platform's own webhooks (those of the calls follow-ups place) come through Svix too: each event delivered
  // as often as the run's, at shuffled moments within a few seconds.
  const fake: FakeAgntix = await startFakeAgntix({
    callSeconds: 3,
    chaos: {
      messagePages: settings.pageFailureShare,
      callsStartAmbiguous: settings.dialAmbiguousShare,
      // Listed after the first read of the sessions list (FOLLOWUP_CONFIRM_GRACE_SECONDS after the dial) and before
      // the second (FOLLOWUP_ABSENCE_SETTLE_SECONDS later), its webhooks later still: only the second read finds it.
      ambiguousCallsLate: { listedAfterMs: 35_000, webhooksAfterMs: 60_000 },
      random: diceFor(settings.seed, 'agntix'),
    },
    deliverWebhook: (event) => {
      const body = JSON.stringify(event);
      const svixId = `msg_platform_${String(event.id)}_${String(event.eventType)}`;
      for (let i = 0; i < settings.redeliveries; i++) {
        setTimeout(
          () =>
            void svix.send({
              cls: 'platform',
              label: String(event.eventType),
              sessionId: String(event.id),
              body,
              svixId,
              headers: signedBy(secret),
            }),
          jitter.int(0, 3000),
        );
      }
      return Promise.resolve({ queued: settings.redeliveries });
    },
  });
  teardown.add(fake.close);

  const temporal = await startTemporal(path.join(runDir, 'temporal.db'));
  teardown.add(temporal.stop);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...sandboxEnv(fake.url, serviceTimers(middayZone())),
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    // Several workers share this host (and other runs may): none serves the metrics port it does not need.
    WORKER_METRICS_PORT: 'off',
    PORT: String(apiPort),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    AGNTIX_WEBHOOK_SECRET: secret,
    OUTCOME_WEBHOOK_URL: receiver.url,
    OUTCOME_WEBHOOK_SECRET: receiverSecret,
    DATA_DIR: runDir,
    OUTCOME_SQLITE_PATH: path.join(runDir, 'outcomes.sqlite'),
  };
  const api = new Supervised('api', 'src/bin/api.ts', env, /webhook API listening/, runDir);
  const worker = new Supervised('worker', 'src/bin/worker.ts', env, /worker polling/, runDir);
  teardown.add(() => api.stop());
  teardown.add(() => worker.stop());
  void api.start();
  void worker.start();
  await Promise.all([api.whenReady(), worker.whenReady(120_000)]);

  let client: { connection: Connection; client: Client } | undefined;
  teardown.add(async () => client?.connection.close());
  return {
    secret,
    apiUrl,
    svix,
    receiver,
    fake,
    temporal,
    api,
    worker,
    /** The service's environment, as its processes (and the operator commands the run tries) get it. */
    env,
    sqlitePath: env.OUTCOME_SQLITE_PATH!,
    timeZone: env.FOLLOWUP_TIME_ZONE!,
    /** A Temporal client for the checks, connected on first use (after the restart). */
    async client(): Promise<Client> {
      if (!client) {
        const connection = await Connection.connect({ address: temporal.address });
        client = { connection, client: new Client({ connection }) };
      }
      return client.client;
    },
  };
}

export type Rig = Awaited<ReturnType<typeof startRig>>;
