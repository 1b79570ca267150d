import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { temporalConnectionOptions } from './connection';
import { dataConverterFor } from './dataConverter';

/**
 * Runs an operator command with a client on the configured namespace, with the service's data converter so it reads
 * and writes payloads as the workers do, then closes the connection whatever happened.
 */
export async function withClient<T>(config: Config, run: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '10s' });
  try {
    return await run(
      new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config) }),
    );
  } finally {
    await connection.close();
  }
}
