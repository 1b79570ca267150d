import { ConfigError, loadConfig } from '../src/config';
import { generateKeyItem } from '../src/temporal/keyRing';

const production = { NODE_ENV: 'production', AGNTIX_WEBHOOK_SECRET: 'whsec_b2xk' };

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

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT /],
    [{ AGNTIX_API_URL: 'not a url' }, /^Invalid configuration: AGNTIX_API_URL /],
    [{ AGNTIX_WEBHOOK_SECRET: 'plain-text' }, /^Invalid configuration: AGNTIX_WEBHOOK_SECRET .*whsec_/],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: AGNTIX_WEBHOOK_SECRET is required when NODE_ENV=production$/],
    [
      { ...production, PAYLOAD_ENCRYPTION_KEYS: '' },
      /^Invalid configuration: PAYLOAD_ENCRYPTION_KEYS is required when/,
    ],
    [
      { PAYLOAD_ENCRYPTION_KEYS: 'k1:short' },
      /^Invalid configuration: PAYLOAD_ENCRYPTION_KEYS key "k1" is not 32 bytes/,
    ],
    [{ PAYLOAD_ENCRYPTION: 'maybe' }, /^Invalid configuration: PAYLOAD_ENCRYPTION /],
  ])('stops on %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('runs production with payload keys, or without them only when told to', () => {
    const keys = generateKeyItem('k2');
    expect(loadConfig({ ...production, PAYLOAD_ENCRYPTION_KEYS: keys }).PAYLOAD_ENCRYPTION_KEYS?.primaryId).toBe(
      keys.split(':')[0],
    );
    expect(loadConfig({ ...production, PAYLOAD_ENCRYPTION: 'off' }).PAYLOAD_ENCRYPTION_KEYS).toBeUndefined();
  });
});
