import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { misplacedSecrets, publishedPorts, startProblems } from './checks';
import { renderCompose, SAMPLE_SECRETS, type RenderedService } from './render';

/*
 * docker-compose.yml is proven without a Docker engine: rendered by `docker-compose config` with sample secrets,
 * each service built from this project is run through the config loader and its entry point's needs with exactly
 * the environment compose (and the image) gives it; each secret must sit only where it is used; only Caddy's TLS
 * port is published.
 */
describe('docker-compose.yml', () => {
  const services = renderCompose();
  const byName = (name: string) => services.find((s) => s.name === name)!;
  const replace = (name: string, change: (s: RenderedService) => RenderedService) =>
    services.map((s) => (s.name === name ? change(s) : s));

  it('runs every service built from this project: api, both worker slots, setup, codec server', () => {
    expect(services.filter((s) => s.built).map((s) => s.name)).toEqual(
      expect.arrayContaining(['api', 'worker-blue', 'worker-green', 'setup', 'codec-server']),
    );
    expect(startProblems(services)).toEqual([]);
  });

  it('gives each secret only to the services that use it', () => {
    expect(misplacedSecrets(services)).toEqual([]);
    expect(Object.values(byName('temporal').environment).join(' ')).not.toContain(
      SAMPLE_SECRETS.PAYLOAD_ENCRYPTION_KEYS,
    );
  });

  it('publishes only the TLS port of the webhook API', () => {
    expect(publishedPorts(services)).toEqual([]);
    expect(services.flatMap((s) => (s.profiles.length === 0 ? s.ports : []))).toEqual(['443:443']);
  });

  it('runs versioned workers, one build per slot', () => {
    for (const [slot, build] of [
      ['worker-blue', 'build-a'],
      ['worker-green', 'build-b'],
    ] as const) {
      expect(byName(slot).environment).toMatchObject({ WORKER_DEPLOYMENT_NAME: 'agntix', WORKER_BUILD_ID: build });
    }
  });

  it('names the service and the variable when one is missing', () => {
    const broken = replace('worker-blue', (s) => {
      const environment = { ...s.environment };
      delete environment.PAYLOAD_ENCRYPTION_KEYS;
      return { ...s, environment };
    });
    expect(startProblems(broken)).toEqual([
      expect.stringMatching(/^worker-blue: .*PAYLOAD_ENCRYPTION_KEYS is required/),
    ]);
  });

  it('names the service and the variable when an entry point needs one the loader does not', () => {
    const broken = replace('api', (s) => {
      const environment = { ...s.environment };
      delete environment.AGNTIX_WEBHOOK_SECRET;
      return { ...s, environment };
    });
    expect(startProblems(broken)).toEqual(['api: AGNTIX_WEBHOOK_SECRET is not set']);
  });

  it('names the service and the secret given to one that does not use it', () => {
    const broken = replace('temporal', (s) => ({
      ...s,
      environment: { ...s.environment, PAYLOAD_ENCRYPTION_KEYS: SAMPLE_SECRETS.PAYLOAD_ENCRYPTION_KEYS },
    }));
    expect(misplacedSecrets(broken)).toEqual([
      'temporal: holds PAYLOAD_ENCRYPTION_KEYS (in PAYLOAD_ENCRYPTION_KEYS), which only api, worker, setup, codec-server use',
    ]);
  });

  it('names a variable no process reads', () => {
    const broken = replace('setup', (s) => ({ ...s, environment: { ...s.environment, PAYLOAD_KEYS: 'typo' } }));
    expect(startProblems(broken)).toEqual(['setup: PAYLOAD_KEYS is read by nothing']);
  });

  it('names a port published beyond the TLS one', () => {
    expect(publishedPorts(replace('api', (s) => ({ ...s, ports: ['3000:3000'] })))).toEqual([
      'api: publishes 3000:3000',
    ]);
  });
});

describe('deploy/caddy/Caddyfile, with the caddy service environment compose gives it', () => {
  const env = renderCompose().find((s) => s.name === 'caddy')!.environment;
  // `caddy adapt` is Caddy's own parser: the JSON it would run, listeners and routes included.
  const config = JSON.parse(
    execFileSync('caddy', ['adapt', '--config', path.resolve(__dirname, '../../deploy/caddy/Caddyfile')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { apps: { http: { servers: Record<string, { listen: string[] }> } } };
  const text = JSON.stringify(config);

  it('listens on the TLS port only, for the public host name', () => {
    expect(Object.values(config.apps.http.servers).flatMap((s) => s.listen)).toEqual([':443']);
    expect(text).toContain(`"host":["${env.PUBLIC_HOSTNAME}"]`);
  });

  it('sends the API and the codec server upstream, and nothing of /metrics', () => {
    expect(text).toContain('"dial":"api:3000"');
    expect(text).toContain('"dial":"codec-server:8888"');
    expect(text).toContain('"status_code":404}]}]}],"match":[{"path":["/metrics*"]}]');
  });
});
