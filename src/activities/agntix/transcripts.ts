import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TranscriptMessage } from './client';

/** Where transcripts are archived. A local directory by default; an object store implements the same method. */
export interface TranscriptStore {
  /** Stores the whole transcript and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
}

export function createLocalTranscriptStore(dir: string): TranscriptStore {
  return {
    async put(sessionId, messages) {
      await mkdir(dir, { recursive: true });
      const file = path.resolve(dir, `${sessionId.replace(/[^\w.-]/g, '_')}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ sessionId, messages }, null, 2));
      await rename(tmp, file); // a retried attempt replaces, never half-writes
      return `file://${file}`;
    },
  };
}
