import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';

type Env = NodeJS.ProcessEnv;

/**
 * Connection options in the Temporal SDK's own conventions: TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH,
 * TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS,
 * TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE are read by `@temporalio/envconfig`; address and namespace come from
 * our validated config so both agree.
 */
export function temporalConnectionOptions(config: Config, env: Env = process.env) {
  const overrideEnvVars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) overrideEnvVars[key] = value;
  overrideEnvVars.TEMPORAL_ADDRESS = config.TEMPORAL_ADDRESS;
  overrideEnvVars.TEMPORAL_NAMESPACE = config.TEMPORAL_NAMESPACE;
  const { connectionOptions } = loadClientConnectConfig({ overrideEnvVars });
  return { ...connectionOptions, address: config.TEMPORAL_ADDRESS };
}

/** The worker's native connection, with the same options as the client. */
export function connectWorker(config: Config, env: Env = process.env): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(config, env));
}
