import { temporal } from '@temporalio/proto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const historiesDir = path.resolve(__dirname, '../fixtures/histories');
const { History } = temporal.api.history.v1;

/** Saves a history recorded from a real run (RECORD_HISTORIES=1 or =name,name npm test), for the replay test. */
export function saveHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  // RECORD_HISTORIES=1 records every history the tests save; a comma-separated list records only those names, so
  // the histories of earlier code stay as they were recorded.
  const only = process.env.RECORD_HISTORIES?.split(',');
  if (only && only.length > 0 && only[0] !== '1' && !only.includes(name)) return;
  mkdirSync(historiesDir, { recursive: true });
  const plain = History.toObject(History.fromObject(history), { longs: String, bytes: String, enums: String });
  writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify(plain, null, 1));
}

export function loadHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as Record<string, unknown>);
}
