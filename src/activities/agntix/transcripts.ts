import { chmod, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../privateFiles';
import type { TranscriptMessage } from './client';

/** Where transcripts are archived. A local directory by default; an object store implements the same method. */
export interface TranscriptStore {
  /** Stores the whole transcript and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
}

export function createLocalTranscriptStore(dir: string): TranscriptStore {
  return {
    async put(sessionId, messages) {
      await ensurePrivateDir(dir);
      const file = path.resolve(dir, `${sessionId.replace(/[^\w.-]/g, '_')}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ sessionId, messages }, null, 2), { mode: PRIVATE_FILE_MODE });
      await chmod(tmp, PRIVATE_FILE_MODE);
      await rename(tmp, file); // a retried attempt replaces, never half-writes
      return `file://${file}`;
    },
  };
}
