import type { KeyRing } from '../../temporal/keyRing';
import type { TranscriptMessage } from './client';

/** A transcript (or one page of one) as a store keeps it. */
export interface ArchivedTranscript {
  sessionId: string;
  messages: TranscriptMessage[];
}

/** A transcript at rest when keys are configured: only the session id is readable without them. */
interface SealedTranscript {
  sessionId: string;
  encryption: { algorithm: 'AES-256-GCM'; keyId: string };
  /** base64 of iv ‖ ciphertext ‖ tag of the JSON `{ sessionId, messages }`. */
  sealed: string;
}

/**
 * What a transcript store writes: sealed under the first payload key when keys are configured (the same keys and
 * AES-256-GCM as workflow payloads), as it is otherwise.
 */
export function sealTranscript(archived: ArchivedTranscript, keys?: KeyRing): ArchivedTranscript | SealedTranscript {
  if (!keys) return archived;
  const { keyId, sealed } = keys.seal(Buffer.from(JSON.stringify(archived)));
  return {
    sessionId: archived.sessionId,
    encryption: { algorithm: 'AES-256-GCM', keyId },
    sealed: sealed.toString('base64'),
  };
}

/** What a store reads back, opened with whichever key it names; plain transcripts (written before keys) as they are. */
export function openTranscript(stored: unknown, keys?: KeyRing): ArchivedTranscript {
  const parsed = stored as Partial<ArchivedTranscript & SealedTranscript>;
  if (parsed.sealed === undefined) return parsed as ArchivedTranscript;
  if (!keys) throw new Error('the transcript is encrypted and PAYLOAD_ENCRYPTION_KEYS is not set');
  const keyId = parsed.encryption?.keyId ?? '';
  return JSON.parse(keys.open(keyId, Buffer.from(parsed.sealed, 'base64')).toString('utf8')) as ArchivedTranscript;
}
