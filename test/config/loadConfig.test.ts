import { ConfigError, loadConfig, requireFor } from '../../src/config';
import { generateKeyItem } from '../../src/temporal/keyRing';

/** Production with the shared store: everything but the setting a case leaves out. */
/** Production on one host: everything but the setting a case leaves out. */
const productionOneHost = {
  NODE_ENV: 'production',
  AGNTIX_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
  PAYLOAD_ENCRYPTION_KEYS: generateKeyItem('k1'),
};

/** Production with the shared store. */
const production = { ...productionOneHost, DATABASE_URL: 'postgres://agntix@db/agntix' };

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
      WEBHOOK_MAX_BODY_BYTES: 64 * 1024,
    });
    expect(config.AGNTIX_API_KEY).toBeUndefined();
  });

  // Svix endpoint secrets hold 24 to 64 random bytes; these are 18, 24 and 32.
  const secrets = [
    `whsec_${Buffer.alloc(18, 1).toString('base64')}`,
    `whsec_${Buffer.alloc(24, 2).toString('base64')}`,
    `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
  ];

  it('splits a rotated secret list on spaces and commas', () => {
    const config = loadConfig({ AGNTIX_WEBHOOK_SECRET: `${secrets[0]}, ${secrets[1]} ${secrets[2]}` });
    expect(config.AGNTIX_WEBHOOK_SECRET).toEqual(secrets);
  });

  it.each(['AGNTIX_WEBHOOK_SECRET', 'OUTCOME_WEBHOOK_SECRET'])('accepts a real whsec_ key in %s', (variable) => {
    expect(loadConfig({ [variable]: secrets[1] })).toMatchObject({
      [variable]: variable === 'AGNTIX_WEBHOOK_SECRET' ? [secrets[1]] : secrets[1],
    });
  });

  describe.each(['AGNTIX_WEBHOOK_SECRET', 'OUTCOME_WEBHOOK_SECRET'])('%s', (variable) => {
    it.each([
      ['an empty key', 'whsec_', /must hold a key/],
      ['a one-byte key', 'whsec_AA==', /key of 1 byte.*at least 16/],
      ['a 15-byte key', `whsec_${Buffer.alloc(15, 7).toString('base64')}`, /key of 15 bytes.*at least 16/],
      ['a key that is not base64', 'whsec_not*base64!!not*base64!!', /not base64/],
      ['a key with broken padding', `whsec_${Buffer.alloc(20, 7).toString('base64').slice(0, -1)}`, /not base64/],
    ])('stops start-up on %s, naming the variable and never echoing the secret', (_label, value, message) => {
      const run = () => loadConfig({ [variable]: value });
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
      expect(run).toThrow(message);
      if (value.length > 'whsec_'.length) expect(run).not.toThrow(value.slice('whsec_'.length));
    });

    if (variable === 'AGNTIX_WEBHOOK_SECRET') {
      it('names the bad entry of a rotated list by its position', () => {
        expect(() => loadConfig({ [variable]: `${secrets[0]} whsec_AA==` })).toThrow(
          /^Invalid configuration: AGNTIX_WEBHOOK_SECRET secret 2 of 2/,
        );
      });
    }
  });

  it('accepts the shared store in production with a link secret and an https base URL', () => {
    const config = loadConfig({
      ...production,
      TRANSCRIPT_LINK_SECRET: 's'.repeat(32),
      PUBLIC_BASE_URL: 'https://agntix.example.com',
    });
    expect(config).toMatchObject({ DATABASE_URL: production.DATABASE_URL, TRANSCRIPT_LINK_TTL_SECONDS: 3600 });
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT /],
    [{ AGNTIX_API_URL: 'not a url' }, /^Invalid configuration: AGNTIX_API_URL /],
    [{ AGNTIX_WEBHOOK_SECRET: 'plain-text' }, /^Invalid configuration: AGNTIX_WEBHOOK_SECRET .*whsec_/],
    [
      { NODE_ENV: 'production', PAYLOAD_ENCRYPTION: 'off' },
      /^Invalid configuration: AGNTIX_WEBHOOK_SECRET is required when NODE_ENV=production$/,
    ],
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
      /^Invalid configuration: PUBLIC_BASE_URL must be an https URL when NODE_ENV=production$/,
    ],
    [
      { ...productionOneHost, PAYLOAD_ENCRYPTION_KEYS: '' },
      /^Invalid configuration: PAYLOAD_ENCRYPTION_KEYS is required when/,
    ],
    [
      { PAYLOAD_ENCRYPTION_KEYS: 'k1:short' },
      /^Invalid configuration: PAYLOAD_ENCRYPTION_KEYS key "k1" is not 32 bytes/,
    ],
    [{ PAYLOAD_ENCRYPTION: 'maybe' }, /^Invalid configuration: PAYLOAD_ENCRYPTION /],
    [
      { CRM_CONTACT_VARIABLE: "crm'Id" },
      /^Invalid configuration: CRM_CONTACT_VARIABLE must be a session variable name like crmContactId$/,
    ],
  ])('stops the API on %j with one line naming the variable', (env, message) => {
    expect(() => requireFor('api', loadConfig(env))).toThrow(ConfigError);
    expect(() => requireFor('api', loadConfig(env))).toThrow(message);
  });

  it('starts the setup job and the codec server in production without the webhook and link secrets', () => {
    const withoutWebhookSecret: Record<string, string> = { ...production };
    delete withoutWebhookSecret.AGNTIX_WEBHOOK_SECRET;
    expect(() => loadConfig(withoutWebhookSecret)).not.toThrow();
    expect(() => requireFor('worker', loadConfig(withoutWebhookSecret))).toThrow(/TRANSCRIPT_LINK_SECRET is required/);
  });

  it('runs production with payload keys, or without them only when told to', () => {
    const keys = generateKeyItem('k2');
    expect(loadConfig({ ...productionOneHost, PAYLOAD_ENCRYPTION_KEYS: keys }).PAYLOAD_ENCRYPTION_KEYS?.primaryId).toBe(
      keys.split(':')[0],
    );
    expect(
      loadConfig({ ...productionOneHost, PAYLOAD_ENCRYPTION_KEYS: undefined, PAYLOAD_ENCRYPTION: 'off' })
        .PAYLOAD_ENCRYPTION_KEYS,
    ).toBeUndefined();
  });
});
