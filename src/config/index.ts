import { crossFieldProblem, roleProblem } from './checks';
import { ConfigSchema, type Config } from './schema';

/*
 * The one home of the settings: the schema (./schema.ts and the groups it joins), the parsers (./fields.ts,
 * ./calling.ts, ./secrets.ts), the cross-field checks (./checks.ts) and what each part receives (./policies.ts,
 * ./hubspot.ts). Nothing else reads the environment.
 */

export { ConfigSchema, DEFAULT_SESSIONS_PATH, type Config } from './schema';

/** Thrown for a bad or missing setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once at an entry point. Pass `env` explicitly in tests. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(`Invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
  }
  const problem = crossFieldProblem(result.data);
  if (problem) throw new ConfigError(`Invalid configuration: ${problem}`);
  return result.data;
}

/** The checks of one entry point (./checks.ts): the API and the workers need secrets the setup job does not. */
export function requireFor(role: 'api' | 'worker', config: Config): Config {
  const problem = roleProblem(role, config);
  if (problem) throw new ConfigError(`Invalid configuration: ${problem}`);
  return config;
}
