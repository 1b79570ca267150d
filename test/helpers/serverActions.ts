import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/dev/devServer';
import { freePort } from './freePort';
import { quietRuntime, testDataConverter, type TestTemporal } from './temporal';

/*
 * Cost as the Temporal server counts it: its `action` counter (the one Temporal's documentation uses to estimate
 * Cloud actions from a self-hosted server), read from the server's own Prometheus endpoint before and after one
 * scenario on a server nothing else uses. Heartbeats, activity retries and every upsert are in it; a history is not.
 */

/** Action counts by the server's `action_type` label (e.g. `command_ScheduleActivityTask`). */
export type ActionCounts = Record<string, number>;

/** A dev server of its own, with its metrics served, and the suite's encrypting client and worker connections. */
export interface CountingServer extends TestTemporal {
  server: DevServer;
  /**
   * The server's `action` counter for the namespace, by action type, once it has settled: the server reports its
   * metrics on an interval, so a reading right after a scenario can miss its last actions.
   */
  readActions(): Promise<ActionCounts>;
}

export async function startCountingServer(): Promise<CountingServer> {
  quietRuntime();
  const metricsPort = await freePort();
  const server = await startDevServer({ metricsPort, log: () => undefined });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const url = `http://127.0.0.1:${metricsPort}/metrics`;
  return {
    server,
    address: server.address,
    client: new Client({ connection, dataConverter: testDataConverter() }),
    nativeConnection,
    readActions: () => settledReading(async () => parseActions(await (await fetch(url)).text(), server.namespace)),
    async close() {
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    },
  };
}

/** Reads until the total has not moved for SETTLE_MS (the server's reporting interval is one second). */
const SETTLE_MS = 2500;
async function settledReading(read: () => Promise<ActionCounts>): Promise<ActionCounts> {
  let last = await read();
  for (let stableSince = Date.now(); Date.now() - stableSince < SETTLE_MS;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await read();
    if (totalActions(next) !== totalActions(last)) stableSince = Date.now();
    last = next;
  }
  return last;
}

/** The `action` samples of one namespace in a Prometheus exposition, summed by action type. */
export function parseActions(exposition: string, namespace: string): ActionCounts {
  const counts: ActionCounts = {};
  for (const line of exposition.split('\n')) {
    const sample = /^action\{([^}]*)\} (\S+)$/.exec(line);
    if (!sample) continue;
    const labels = new Map([...sample[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const));
    const type = labels.get('action_type');
    if (labels.get('namespace') !== namespace || !type) continue;
    counts[type] = (counts[type] ?? 0) + Number(sample[2]);
  }
  return counts;
}

/** What the counter rose by between two readings, by action type (types that did not move left out). */
export function actionsBetween(before: ActionCounts, after: ActionCounts): ActionCounts {
  const delta: ActionCounts = {};
  for (const [type, count] of Object.entries(after)) {
    const rose = count - (before[type] ?? 0);
    if (rose > 0) delta[type] = rose;
  }
  return delta;
}

export const totalActions = (counts: ActionCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);
