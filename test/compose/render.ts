import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const repoRoot = path.resolve(__dirname, '../..');

/** One service as `docker-compose config` renders it: what compose would run, with what, published where. */
export interface RenderedService {
  name: string;
  command: string[];
  environment: Record<string, string>;
  ports: string[];
  profiles: string[];
  built: boolean;
}

/**
 * Secrets an operator gives compose, each a distinct sample value, so a check can see where each one lands. The
 * webhook secret and payload keys have the shapes the config loader accepts.
 */
export const SAMPLE_SECRETS = {
  AGNTIX_API_KEY: 'sample-agntix-api-key',
  AGNTIX_WEBHOOK_SECRET: `whsec_${Buffer.from('sample-webhook-secret-24b').toString('base64')}`,
  PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
  POSTGRES_PASSWORD: 'sample-postgres-superuser-password',
  TEMPORAL_DB_PASSWORD: 'sample-temporal-db-password',
  AGNTIX_DB_PASSWORD: 'sample-agntix-db-password',
  TRANSCRIPT_LINK_SECRET: 'sample-transcript-link-secret-of-32-chars',
  OUTCOME_WEBHOOK_SECRET: `whsec_${Buffer.from('sample-outcome-secret-24b').toString('base64')}`,
  CODEC_AUTH_TOKENS: 'sample-codec-token',
} as const;

/** The settings that are not secret: where things are. */
export const SAMPLE_SETTINGS = {
  PUBLIC_HOSTNAME: 'agntix.example.com',
  OUTCOME_WEBHOOK_URL: 'https://outcomes.example.com/hook',
  WORKER_BLUE_BUILD_ID: 'build-a',
  WORKER_GREEN_BUILD_ID: 'build-b',
  CADDY_TLS: 'ops@example.com',
};

/**
 * Renders a compose file with `docker-compose config` (no engine needed) and the given variables only, every
 * profile included, and returns its services.
 */
export function renderCompose(
  file = path.join(repoRoot, 'docker-compose.yml'),
  variables: Record<string, string> = { ...SAMPLE_SECRETS, ...SAMPLE_SETTINGS },
): RenderedService[] {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...variables };
  const profiles = [...readFileProfiles(file)].flatMap((p) => ['--profile', p]);
  const text = execFileSync(
    'docker-compose',
    ['-f', file, '--project-directory', path.dirname(file), ...profiles, 'config'],
    {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const doc = parse(text) as { services: Record<string, Record<string, unknown>> };
  return Object.entries(doc.services).map(([name, s]) => ({
    name,
    command: asList(s.command),
    environment: Object.fromEntries(
      Object.entries((s.environment as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
        k,
        typeof v === 'string' || typeof v === 'number' ? String(v) : '',
      ]),
    ),
    ports: ((s.ports as unknown[] | undefined) ?? []).map(portText),
    profiles: (s.profiles as string[] | undefined) ?? [],
    built: s.build !== undefined,
  }));
}

function readFileProfiles(file: string): Set<string> {
  const doc = parse(readFileSync(file, 'utf8')) as {
    services: Record<string, { profiles?: string[] }>;
  };
  return new Set(Object.values(doc.services).flatMap((s) => s.profiles ?? []));
}

const asList = (command: unknown): string[] =>
  Array.isArray(command) ? command.map(String) : typeof command === 'string' ? command.split(' ') : [];

/** "host_ip:published:target" whichever form compose renders (short string or long mapping). */
function portText(port: unknown): string {
  if (typeof port === 'string' || typeof port === 'number') return String(port);
  const p = port as { host_ip?: string; published?: number | string; target?: number };
  return [p.host_ip, p.published, p.target].filter((x) => x !== undefined && x !== '').join(':');
}
