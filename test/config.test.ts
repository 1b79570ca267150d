import { ConfigError, loadConfig } from '../src/config';

/** Production with the shared store: everything but the setting a case leaves out. */
const production = {
  NODE_ENV: 'production',
  AGNTIX_WEBHOOK_SECRET: 'whsec_b2xk',
  DATABASE_URL: 'postgres://agntix@db/agntix',
};

describe('loadConfig', () => {
  it('gives every setting a development default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'agntix-sessions',
      AGNTIX_API_URL: 'https://api.agntix.ai',
      INGEST_DEADLINE_MS: 10_000,
      WEBHOOK_MAX_BODY_BYTES: 1024 * 1024,
    });
    expect(config.AGNTIX_API_KEY).toBeUndefined();
  });

  it('splits a rotated secret list on spaces and commas', () => {
    const config = loadConfig({ AGNTIX_WEBHOOK_SECRET: 'whsec_b2xk, whsec_bmV3 whsec_dGhyZWU=' });
    expect(config.AGNTIX_WEBHOOK_SECRET).toEqual(['whsec_b2xk', 'whsec_bmV3', 'whsec_dGhyZWU=']);
  });

  it('accepts the shared store in production with a link secret and an https base URL', () => {
    const config = loadConfig({
      ...production,
      TRANSCRIPT_LINK_SECRET: 's'.repeat(32),
      PUBLIC_BASE_URL: 'https://agntix.example.com',
    });
    expect(config).toMatchObject({ DATABASE_URL: production.DATABASE_URL, TRANSCRIPT_LINK_TTL_SECONDS: 7 * 24 * 3600 });
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT /],
    [{ AGNTIX_API_URL: 'not a url' }, /^Invalid configuration: AGNTIX_API_URL /],
    [{ AGNTIX_WEBHOOK_SECRET: 'plain-text' }, /^Invalid configuration: AGNTIX_WEBHOOK_SECRET .*whsec_/],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: AGNTIX_WEBHOOK_SECRET is required when NODE_ENV=production$/],
    [{ DATABASE_URL: 'mysql://db/agntix' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ URL$/],
    [
      { WORKER_DEPLOYMENT_NAME: 'agntix' },
      /^Invalid configuration: WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID are set together$/,
    ],
    [
      { TRANSCRIPT_LINK_SECRET: 'short' },
      /^Invalid configuration: TRANSCRIPT_LINK_SECRET must be at least 32 characters$/,
    ],
    [
      { ...production, PUBLIC_BASE_URL: 'https://agntix.example.com' },
      /^Invalid configuration: TRANSCRIPT_LINK_SECRET is required with DATABASE_URL in production$/,
    ],
    [
      { ...production, TRANSCRIPT_LINK_SECRET: 's'.repeat(32), PUBLIC_BASE_URL: 'http://agntix.example.com' },
      /^Invalid configuration: PUBLIC_BASE_URL must be an https URL with DATABASE_URL in production$/,
    ],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
