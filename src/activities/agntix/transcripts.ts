import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KeyRing } from '../../temporal/keyRing';
import type { TranscriptMessage } from './client';

/** Where transcripts are archived. A local directory by default; an object store implements the same methods. */
export interface TranscriptStore {
  /** Stores the whole transcript and returns a reference to it. Idempotent per session id. */
  put(sessionId: string, messages: TranscriptMessage[]): Promise<string>;
  /** The transcript a reference names, decrypted. */
  get(ref: string): Promise<TranscriptMessage[]>;
  /** Removes a session's transcript (erasure); false when there was none. */
  remove(sessionId: string): Promise<boolean>;
}

interface Archived {
  sessionId: string;
  messages: TranscriptMessage[];
}

/** A transcript file at rest when keys are configured: only the session id is readable without them. */
interface SealedFile {
  sessionId: string;
  encryption: { algorithm: 'AES-256-GCM'; keyId: string };
  /** base64 of iv ‖ ciphertext ‖ tag of the JSON `{ sessionId, messages }`. */
  sealed: string;
}

/**
 * One JSON file per session in `dir`. With keys (PAYLOAD_ENCRYPTION_KEYS) each file is sealed under the first key
 * and opened with whichever key it names, as workflow payloads are; files written before keys were set still read.
 */
export function createLocalTranscriptStore(dir: string, keys?: KeyRing): TranscriptStore {
  const root = path.resolve(dir);
  const fileOf = (sessionId: string) => path.join(root, `${sessionId.replace(/[^\w.-]/g, '_')}.json`);

  function encode(archived: Archived): string {
    if (!keys) return JSON.stringify(archived, null, 2);
    const { keyId, sealed } = keys.seal(Buffer.from(JSON.stringify(archived)));
    const file: SealedFile = {
      sessionId: archived.sessionId,
      encryption: { algorithm: 'AES-256-GCM', keyId },
      sealed: sealed.toString('base64'),
    };
    return JSON.stringify(file);
  }

  function decode(text: string): Archived {
    const parsed = JSON.parse(text) as Partial<Archived & SealedFile>;
    if (parsed.sealed === undefined) return parsed as Archived;
    if (!keys) throw new Error('the transcript is encrypted and PAYLOAD_ENCRYPTION_KEYS is not set');
    const keyId = parsed.encryption?.keyId ?? '';
    return JSON.parse(keys.open(keyId, Buffer.from(parsed.sealed, 'base64')).toString('utf8')) as Archived;
  }

  return {
    async put(sessionId, messages) {
      await mkdir(root, { recursive: true });
      const file = fileOf(sessionId);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, encode({ sessionId, messages }));
      await rename(tmp, file); // a retried attempt replaces, never half-writes
      return pathToFileURL(file).href;
    },

    async get(ref) {
      // A reference travels through workflow inputs: read only files of this store.
      const file = ref.startsWith('file:') ? fileURLToPath(ref) : '';
      if (path.dirname(file) !== root || !file.endsWith('.json')) {
        throw new Error(`${ref} is not a transcript of the archive in ${root}`);
      }
      return decode(await readFile(file, 'utf8')).messages;
    },

    async remove(sessionId) {
      const file = fileOf(sessionId);
      try {
        await rm(file);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
  };
}
