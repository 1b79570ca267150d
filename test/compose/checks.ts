import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema, loadConfig } from '../../src/config';
import { SAMPLE_SECRETS, type RenderedService } from './render';

/**
 * Which services may hold each secret: the ones that use it. A sample value found anywhere else (in any variable,
 * DATABASE_URL included) was given to the wrong service. Worker slots match by prefix (worker-blue, worker-green).
 */
export const SECRET_USERS: Record<keyof typeof SAMPLE_SECRETS, string[]> = {
  AGNTIX_API_KEY: ['worker'],
  AGNTIX_WEBHOOK_SECRET: ['api'],
  // Temporal stores the payloads and must never read them (docs/privacy.md).
  PAYLOAD_ENCRYPTION_KEYS: ['api', 'worker', 'setup', 'codec-server'],
  POSTGRES_PASSWORD: ['postgresql'],
  TEMPORAL_DB_PASSWORD: ['postgresql', 'temporal-schema', 'temporal'],
  AGNTIX_DB_PASSWORD: ['postgresql', 'api', 'worker', 'setup'],
  TRANSCRIPT_LINK_SECRET: ['api', 'worker'],
  OUTCOME_WEBHOOK_SECRET: ['worker'],
  CODEC_AUTH_TOKENS: ['codec-server'],
};

/** What each entry point needs beyond what loadConfig demands of every process in production. */
const ENTRY_NEEDS: Record<string, Array<string[]>> = {
  'api.js': [['AGNTIX_WEBHOOK_SECRET'], ['DATABASE_URL'], ['TRANSCRIPT_LINK_SECRET'], ['PUBLIC_BASE_URL']],
  'worker.js': [['AGNTIX_API_KEY'], ['DATABASE_URL'], ['TRANSCRIPT_LINK_SECRET'], ['PUBLIC_BASE_URL']],
  'migrate.js': [['DATABASE_URL']],
  'codecServer.js': [['CODEC_AUTH_TOKENS', 'CODEC_AUTH_USERINFO_URL'], ['CODEC_CORS_ORIGINS']],
};

/** Variables a process reads that are not in the config schema: the SDK's connection settings, Node's own. */
const READ_ELSEWHERE = /^(TEMPORAL_(API_KEY|TLS_.*|PROFILE|CONFIG_FILE)|NODE_OPTIONS|OTEL_.*|UV_THREADPOOL_SIZE)$/;

const usedBy = (service: string, users: string[]) =>
  users.some((u) => service === u || (u === 'worker' && /^worker(-|$)/.test(service)));

/** The image's own ENV lines (runtime stage): part of every built service's environment. */
export function imageEnvironment(dockerfile = path.resolve(__dirname, '../../Dockerfile')): Record<string, string> {
  const stages = readFileSync(dockerfile, 'utf8').split(/^FROM /m);
  const runtime = stages[stages.length - 1] ?? '';
  return Object.fromEntries([...runtime.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** "temporal: holds PAYLOAD_ENCRYPTION_KEYS (used by api, worker, ...)" for each secret where it is not used. */
export function misplacedSecrets(services: RenderedService[]): string[] {
  const problems: string[] = [];
  for (const s of services) {
    for (const [secret, users] of Object.entries(SECRET_USERS)) {
      const value = SAMPLE_SECRETS[secret as keyof typeof SAMPLE_SECRETS];
      const holders = Object.entries(s.environment).filter(([, v]) => v.includes(value));
      if (holders.length > 0 && !usedBy(s.name, users)) {
        problems.push(
          `${s.name}: holds ${secret} (in ${holders.map(([k]) => k).join(', ')}), which only ${users.join(', ')} use`,
        );
      }
    }
  }
  return problems;
}

/**
 * Why each service built from this project would refuse to start with the environment compose gives it (and the
 * image's): the config loader's own line, or a setting its entry point needs. Empty when all start.
 */
export function startProblems(services: RenderedService[]): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(ConfigSchema.shape));
  for (const s of services.filter((x) => x.built)) {
    const env = { ...imageEnvironment(), ...s.environment };
    for (const variable of Object.keys(s.environment)) {
      if (!known.has(variable) && !READ_ELSEWHERE.test(variable))
        problems.push(`${s.name}: ${variable} is read by nothing`);
    }
    try {
      loadConfig(env);
    } catch (err) {
      problems.push(`${s.name}: ${(err as Error).message}`);
    }
    const needs = s.command.flatMap((part) => ENTRY_NEEDS[path.basename(part)] ?? []);
    for (const anyOf of needs) {
      if (!anyOf.some((v) => (env[v] ?? '').trim() !== ''))
        problems.push(`${s.name}: ${anyOf.join(' or ')} is not set`);
    }
  }
  return problems;
}

/** Ports reachable beyond the host: only the TLS proxy's 443; opt-in profiles may bind the loopback. */
export function publishedPorts(services: RenderedService[]): string[] {
  const problems: string[] = [];
  for (const s of services) {
    for (const port of s.ports) {
      const loopbackOptIn = s.profiles.length > 0 && port.startsWith('127.0.0.1:');
      const tls = s.name === 'caddy' && /^(0\.0\.0\.0:)?443:443(\/tcp)?$/.test(port);
      if (!tls && !loopbackOptIn) problems.push(`${s.name}: publishes ${port}`);
    }
  }
  return problems;
}
