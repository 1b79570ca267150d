import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../privateFiles';
import type { TranscriptMessage } from './client';

/**
 * Where transcripts are archived. A local directory by default (one machine); PostgreSQL with DATABASE_URL
 * (src/store/postgresTranscripts.ts), whose references are signed links served by the API.
 */
export interface TranscriptStore {
  /** Stores the whole transcript, drops its saved pages, and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
  /** The stored transcript, or undefined when there is none. */
  get(sessionId: string): Promise<TranscriptMessage[] | undefined>;
  /** Keeps one fetched page until the whole transcript is stored, so a retried archive resumes after it. */
  savePage(sessionId: string, page: number, messages: TranscriptMessage[]): Promise<void>;
  /** The pages saved for a session, from page 1 up to `upTo`, stopping at the first one missing. */
  loadPages(sessionId: string, upTo: number): Promise<TranscriptMessage[][]>;
}

export function createLocalTranscriptStore(dir: string): TranscriptStore {
  const safe = (sessionId: string) => sessionId.replace(/[^\w.-]/g, '_');
  const fileOf = (sessionId: string) => path.resolve(dir, `${safe(sessionId)}.json`);
  const pagesDir = (sessionId: string) => path.resolve(dir, '.pages', safe(sessionId));
  const pageFile = (sessionId: string, page: number) => path.join(pagesDir(sessionId), `${page}.json`);

  /** Writes whole or not at all (a retried attempt replaces, never half-writes), readable by this user only. */
  async function writePrivate(file: string, content: string): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, content, { mode: PRIVATE_FILE_MODE });
    await chmod(tmp, PRIVATE_FILE_MODE);
    await rename(tmp, file);
  }

  return {
    async put(sessionId, messages) {
      await ensurePrivateDir(dir);
      const file = fileOf(sessionId);
      await writePrivate(file, JSON.stringify({ sessionId, messages }, null, 2));
      await rm(pagesDir(sessionId), { recursive: true, force: true });
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

    async savePage(sessionId, page, messages) {
      await ensurePrivateDir(path.resolve(dir, '.pages'));
      await ensurePrivateDir(pagesDir(sessionId));
      await writePrivate(pageFile(sessionId, page), JSON.stringify(messages));
    },

    async loadPages(sessionId, upTo) {
      const pages: TranscriptMessage[][] = [];
      for (let page = 1; page <= upTo; page++) {
        try {
          pages.push(JSON.parse(await readFile(pageFile(sessionId, page), 'utf8')) as TranscriptMessage[]);
        } catch {
          break; // not saved here (another worker host fetched it, or it was lost): fetched again
        }
      }
      return pages;
    },
  };
}
