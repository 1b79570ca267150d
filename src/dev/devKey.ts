import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { devKeyFile, readDevKey } from '../config/devPayloadKey';
import { generateKeyItem } from '../temporal/keyRing';

/**
 * A payload encryption key for development (`id:base64key`), generated once and kept in the data folder, so that
 * `npm start` encrypts histories and transcripts as production does and its Web UI decodes them through the codec
 * server with no set-up. Never used in production: loadConfig refuses to start there without PAYLOAD_ENCRYPTION_KEYS.
 */
export function loadOrCreateDevKey(dataDir: string): { keys: string; file: string; created: boolean } {
  const file = devKeyFile(dataDir);
  const kept = readDevKey(dataDir);
  if (kept) return { keys: kept, file, created: false };
  mkdirSync(path.dirname(file), { recursive: true });
  const keys = generateKeyItem('dev');
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return { keys, file, created: true };
}
