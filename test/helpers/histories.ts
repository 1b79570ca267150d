import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testDataConverter } from './temporal';

export const historiesDir = path.resolve(__dirname, '../fixtures/histories');
const { History } = temporal.api.history.v1;

type Plain = Record<string, unknown>;

/** A payload in the plain form of a history: metadata values and data as base64 strings. */
const isPayload = (value: Plain): value is { metadata: Record<string, string>; data?: string } =>
  typeof value.metadata === 'object' &&
  value.metadata !== null &&
  typeof (value.metadata as Plain).encoding === 'string' &&
  (value.data === undefined || typeof value.data === 'string');

/** Runs every payload of a plain history through the codec's decode, in place. */
async function decodePayloads(value: unknown, codec: PayloadCodec): Promise<unknown> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = await decodePayloads(value[i], codec);
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Plain;
  if (isPayload(object)) {
    const metadata = Object.fromEntries(Object.entries(object.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    const [decoded] = await codec.decode([
      { metadata, data: object.data ? Buffer.from(object.data, 'base64') : undefined },
    ]);
    const plain = temporal.api.common.v1.Payload.toObject(temporal.api.common.v1.Payload.fromObject(decoded!), {
      bytes: String,
    });
    return plain;
  }
  for (const key of Object.keys(object)) object[key] = await decodePayloads(object[key], codec);
  return object;
}

/**
 * Saves a history recorded from a real run (RECORD_HISTORIES=1 npm test), for the replay test. Payloads are saved
 * decoded: the suite's key lives for one run, and the replay test must read the file in every later one.
 */
export async function saveHistory(name: string, history: temporal.api.history.v1.IHistory): Promise<void> {
  // RECORD_HISTORIES=1 records every history the tests save that is not on disk yet; a comma-separated list records
  // only those names.
  const only = process.env.RECORD_HISTORIES?.split(',');
  const named = only !== undefined && only[0] !== '1';
  if (named && !only.includes(name)) return;
  // A fixture is the history of the code that recorded it: overwritten, the replay test would stop proving that the
  // sessions it stands for still replay. New code records under a new name.
  const file = path.join(historiesDir, `${name}.json`);
  if (existsSync(file)) {
    if (named) throw new Error(`${file} exists: histories of earlier code are never overwritten; record a new name`);
    return;
  }
  mkdirSync(historiesDir, { recursive: true });
  const plain = History.toObject(History.fromObject(history), { longs: String, bytes: String, enums: String });
  for (const codec of testDataConverter().payloadCodecs ?? []) await decodePayloads(plain, codec);
  writeFileSync(file, JSON.stringify(plain, null, 1));
}

export function loadHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as Record<string, unknown>);
}

/** A history's wire bytes: what anyone who can read the namespace gets, whatever they decode it with. */
export function historyBytes(history: temporal.api.history.v1.IHistory): Buffer {
  return Buffer.from(History.encode(History.fromObject(history as Plain)).finish());
}
