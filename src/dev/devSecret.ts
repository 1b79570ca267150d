import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A webhook signing secret for development, generated once and kept in the data folder, so `npm start` needs no
 * configuration and deliveries (the demo's, or your own) can be signed against it. Never used in production:
 * loadConfig refuses to start there without AGNTIX_WEBHOOK_SECRET.
 */
export function loadOrCreateDevSecret(dataDir: string): { secret: string; file: string; created: boolean } {
  const file = path.resolve(dataDir, 'webhook-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, file, created: true };
}
