import type { DataConverter } from '@temporalio/common';
import type { KeyRing } from './keyRing';
import { EncryptionCodec } from './encryption';

export interface PayloadEncryptionSettings {
  PAYLOAD_ENCRYPTION_KEYS?: KeyRing;
  PAYLOAD_ENCRYPTION: 'on' | 'off';
}

/**
 * The data converter of every Temporal client and worker of this service (API, worker, operator tools, demo,
 * tests), built here only. With keys, payloads are encrypted (or, with PAYLOAD_ENCRYPTION=off, only decrypted);
 * without, they are plain JSON. Codecs run outside the workflow sandbox, so the workflow bundle is the same either way.
 */
export function dataConverterFor(settings: PayloadEncryptionSettings): DataConverter {
  const keys = settings.PAYLOAD_ENCRYPTION_KEYS;
  if (!keys) return {};
  return { payloadCodecs: [new EncryptionCodec(keys, { encrypt: settings.PAYLOAD_ENCRYPTION !== 'off' })] };
}
