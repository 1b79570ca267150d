import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TranscriptMessage } from './client';

/**
 * Where transcripts are archived. A local directory by default (one machine); PostgreSQL with DATABASE_URL
 * (src/store/postgresTranscripts.ts), whose references are signed links served by the API.
 */
export interface TranscriptStore {
  /** Stores the whole transcript and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
  /** The stored transcript, or undefined when there is none. */
  get(sessionId: string): Promise<TranscriptMessage[] | undefined>;
}

export function createLocalTranscriptStore(dir: string): TranscriptStore {
  const fileOf = (sessionId: string) => path.resolve(dir, `${sessionId.replace(/[^\w.-]/g, '_')}.json`);
  return {
    async put(sessionId, messages) {
      await mkdir(dir, { recursive: true });
      const file = fileOf(sessionId);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ sessionId, messages }, null, 2));
      await rename(tmp, file); // a retried attempt replaces, never half-writes
      return `file://${file}`;
    },
    async get(sessionId) {
      try {
        const stored = JSON.parse(await readFile(fileOf(sessionId), 'utf8')) as { messages: TranscriptMessage[] };
        return stored.messages;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}
