import { readdirSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { startDevServer } from '../../src/dev/devServer';
import { workerMetricsHost } from '../../src/config/observability';
import { freePort } from '../helpers/freePort';

const mode = (file: string) => statSync(file).mode & 0o777;

describe("the development stack's openings", () => {
  it("keeps the dev server's database to its owner: folder 0700, database and journals 0600", async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'devdb-')), '.data');
    const dbFilename = path.join(dataDir, 'temporal.db');
    const server = await startDevServer({ port: await freePort(), dbFilename, log: () => undefined });
    try {
      expect(mode(dataDir).toString(8)).toBe('700');
      const files = readdirSync(dataDir).filter((name) => name.startsWith('temporal.db'));
      expect(files).toContain('temporal.db');
      for (const name of files)
        expect({ name, mode: mode(path.join(dataDir, name)).toString(8) }).toEqual({ name, mode: '600' });
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('serves the worker metrics on the loopback interface unless in production or told otherwise', () => {
    expect(workerMetricsHost(loadConfig({}))).toBe('127.0.0.1');
    expect(workerMetricsHost(loadConfig({ WORKER_METRICS_HOST: '0.0.0.0' }))).toBe('0.0.0.0');
    const production = loadConfig({
      NODE_ENV: 'production',
      AGNTIX_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      PAYLOAD_ENCRYPTION: 'off',
    });
    expect(workerMetricsHost(production)).toBe('0.0.0.0');
  });
});
