import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repo's example payloads (a copy of shared/agntix/examples): the sandbox's script and the tests' fixtures. */
export const examplesDir = path.resolve(__dirname, '../../examples/agntix');

/** A fresh copy of one example, so the caller can change it. */
export function example<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')) as T;
}

/** A session event from one of the examples, under a fresh (or given) session id. */
export function freshSession(name: string, sessionId: string = randomUUID()): Record<string, unknown> {
  return { ...example(name), id: sessionId };
}
