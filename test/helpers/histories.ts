import { temporal } from '@temporalio/proto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const historiesDir = path.resolve(__dirname, '../fixtures/histories');
const { History } = temporal.api.history.v1;

/** Saves a history recorded from a real run (RECORD_HISTORIES=1 npm test), for the replay test. */
export function saveHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  mkdirSync(historiesDir, { recursive: true });
  const plain = History.toObject(History.fromObject(history), { longs: String, bytes: String, enums: String });
  writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify(plain, null, 1));
}

export function loadHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as Record<string, unknown>);
}
