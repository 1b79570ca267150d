import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveTemporalCli } from './temporalCli';
import { fatal } from '../bin/fatal';
import { loadOperatorConfig } from '../bin/operatorConfig';

/**
 * The environment the Temporal CLI reads (its own variables: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_CODEC_ENDPOINT, TEMPORAL_CODEC_AUTH) for the stack this checkout runs: the dev server `npm start` embeds
 * (or TEMPORAL_ADDRESS), its namespace, and the codec server, so queries print decoded JSON rather than ciphertext.
 */
export function temporalCliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const config = loadOperatorConfig(env);
  const out: NodeJS.ProcessEnv = {
    ...env,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS || `127.0.0.1:${env.TEMPORAL_DEV_PORT || 7233}`,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
  };
  if (config.PAYLOAD_ENCRYPTION_KEYS && !env.TEMPORAL_CODEC_ENDPOINT) {
    out.TEMPORAL_CODEC_ENDPOINT = `http://127.0.0.1:${config.CODEC_SERVER_PORT}`;
    const token = config.CODEC_AUTH_TOKENS?.[0];
    if (token && !env.TEMPORAL_CODEC_AUTH) out.TEMPORAL_CODEC_AUTH = `Bearer ${token}`;
  }
  return out;
}

/** `npm run temporal -- <args>`: the Temporal CLI `npm start` provisioned, pointed at this stack. */
async function main() {
  const cli = await resolveTemporalCli({ log: (line) => console.error(line) });
  const binary = cli.kind === 'binary' ? cli.path : path.join(cli.downloadDir, `temporal-${cli.version}`);
  if (!existsSync(binary)) throw new Error('The Temporal CLI is not installed yet: run `npm start` once');
  const result = spawnSync(binary, process.argv.slice(2), { env: temporalCliEnv(process.env), stdio: 'inherit' });
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
}

if (require.main === module) main().catch(fatal);
