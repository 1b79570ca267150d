import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { readDevKey } from '../config/devPayloadKey';

/**
 * The settings of an operator command (`followup`, `forget`, `temporal`): the process's own, plus, in development,
 * the payload key `npm start` keeps in DATA_DIR. Without it the command could apply an update and then fail to read
 * the encrypted answer, reporting a failure for a change that was made.
 */
export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(withDevKey(env));
}

/** The environment with the development payload key filled in where `npm start` would have used it. */
export function withDevKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.PAYLOAD_ENCRYPTION_KEYS || env.PAYLOAD_ENCRYPTION === 'off' || env.NODE_ENV === 'production') return env;
  const keys = readDevKey(path.resolve(env.DATA_DIR ?? '.data'));
  return keys ? { ...env, PAYLOAD_ENCRYPTION_KEYS: keys } : env;
}
