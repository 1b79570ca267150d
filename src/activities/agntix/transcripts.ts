import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KeyRing } from '../../temporal/keyRing';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../store/privateFiles';
import type { TranscriptMessage } from './client';
import { openTranscript, sealTranscript } from './transcriptSealing';

/**
 * Where transcripts are archived. A local directory by default (one machine); PostgreSQL with DATABASE_URL
 * (src/store/postgresTranscripts.ts), whose references are signed links served by the API. Both seal what they keep
 * with the payload keys when they are configured (./transcriptSealing.ts).
 */
export interface TranscriptStore {
  /** Stores the whole transcript, drops its saved pages, and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
  /** The stored transcript of a session, decrypted, or undefined when there is none. */
  get(sessionId: string): Promise<TranscriptMessage[] | undefined>;
  /** The transcript a reference of this store names, decrypted (readTranscript in src/automations/core.ts). */
  read(ref: string): Promise<TranscriptMessage[]>;
  /** Removes a session's transcript (erasure); false when there was none. */
  remove(sessionId: string): Promise<boolean>;
  /** Keeps one fetched page until the whole transcript is stored, so a retried archive resumes after it. */
  savePage(sessionId: string, page: number, messages: TranscriptMessage[]): Promise<void>;
  /** The pages saved for a session, from page 1 up to `upTo`, stopping at the first one missing. */
  loadPages(sessionId: string, upTo: number): Promise<TranscriptMessage[][]>;
}

/**
 * One private file per session in `dir` (0600 in a 0700 folder). With keys (PAYLOAD_ENCRYPTION_KEYS) each file, and
 * each page kept while an archive runs, is sealed under the first key and opened with whichever key it names;
 * files written before keys were set still read.
 */
export function createLocalTranscriptStore(dir: string, keys?: KeyRing): TranscriptStore {
  const root = path.resolve(dir);
  const safe = (sessionId: string) => sessionId.replace(/[^\w.-]/g, '_');
  const fileOf = (sessionId: string) => path.join(root, `${safe(sessionId)}.json`);
  const pagesDir = (sessionId: string) => path.join(root, '.pages', safe(sessionId));
  const pageFile = (sessionId: string, page: number) => path.join(pagesDir(sessionId), `${page}.json`);

  /** Writes whole or not at all (a retried attempt replaces, never half-writes), readable by this user only. */
  async function writePrivate(file: string, content: string): Promise<void> {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, content, { mode: PRIVATE_FILE_MODE });
    await chmod(tmp, PRIVATE_FILE_MODE);
    await rename(tmp, file);
  }

  async function readFileOf(file: string): Promise<TranscriptMessage[]> {
    return openTranscript(JSON.parse(await readFile(file, 'utf8')) as unknown, keys).messages;
  }

  return {
    async put(sessionId, messages) {
      await ensurePrivateDir(root);
      const file = fileOf(sessionId);
      await writePrivate(file, JSON.stringify(sealTranscript({ sessionId, messages }, keys)));
      await rm(pagesDir(sessionId), { recursive: true, force: true });
      return pathToFileURL(file).href;
    },

    async get(sessionId) {
      try {
        return await readFileOf(fileOf(sessionId));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },

    async read(ref) {
      // A reference travels through workflow inputs: read only files of this store.
      const file = ref.startsWith('file:') ? fileURLToPath(ref) : '';
      if (path.dirname(file) !== root || !file.endsWith('.json')) {
        throw new Error(`${ref} is not a transcript of the archive in ${root}`);
      }
      return readFileOf(file);
    },

    async remove(sessionId) {
      await rm(pagesDir(sessionId), { recursive: true, force: true });
      try {
        await rm(fileOf(sessionId));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },

    async savePage(sessionId, page, messages) {
      await ensurePrivateDir(path.join(root, '.pages'));
      await ensurePrivateDir(pagesDir(sessionId));
      await writePrivate(pageFile(sessionId, page), JSON.stringify(sealTranscript({ sessionId, messages }, keys)));
    },

    async loadPages(sessionId, upTo) {
      const pages: TranscriptMessage[][] = [];
      for (let page = 1; page <= upTo; page++) {
        try {
          pages.push(await readFileOf(pageFile(sessionId, page)));
        } catch {
          break; // not saved here (another worker host fetched it, or it was lost): fetched again
        }
      }
      return pages;
    },
  };
}
