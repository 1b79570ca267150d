import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * AES-256-GCM under named keys, for workflow payloads (./encryption.ts) and archived transcripts alike. Sealed bytes
 * are iv (12) ‖ ciphertext ‖ tag (16), the layout of Temporal's encryption samples; the key id travels beside them.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Keys by id: the first encrypts, every one decrypts, so a key rotates without downtime. */
export interface KeyRing {
  /** The id new data is sealed under. */
  readonly primaryId: string;
  readonly ids: readonly string[];
  seal(plain: Uint8Array): { keyId: string; sealed: Buffer };
  /** Throws when the key is unknown or the bytes were not sealed by it (tampered, or another key). */
  open(keyId: string, sealed: Uint8Array): Buffer;
}

export function createKeyRing(keys: ReadonlyArray<readonly [id: string, key: Buffer]>): KeyRing {
  const byId = new Map(keys);
  const primary = keys[0];
  if (!primary) throw new Error('a key ring needs at least one key');
  const [primaryId, primaryKey] = primary;
  return {
    primaryId,
    ids: keys.map(([id]) => id),
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', primaryKey, iv, { authTagLength: TAG_BYTES });
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { keyId: primaryId, sealed };
    },
    open(keyId, sealed) {
      const key = byId.get(keyId);
      if (!key) throw new Error(`sealed under key "${keyId}", which is not among the configured keys`);
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error(`sealed data under key "${keyId}" is truncated`);
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new Error(`sealed data does not open with key "${keyId}": tampered, or sealed by another key`);
      }
    },
  };
}

/**
 * Reads `id1:base64key,id2:base64key` (commas or spaces between items). Each key is 32 random bytes in base64,
 * e.g. from `openssl rand -base64 32`. Errors name the item, never a key's bytes.
 */
export function parseKeyRing(text: string): KeyRing {
  const items = text.split(/[\s,]+/).filter((s) => s !== '');
  if (items.length === 0) throw new Error('must hold at least one id:base64key');
  const keys: Array<readonly [string, Buffer]> = [];
  items.forEach((item, i) => {
    const colon = item.indexOf(':');
    const id = item.slice(0, colon);
    const encoded = item.slice(colon + 1);
    if (colon < 0 || !KEY_ID.test(id)) {
      throw new Error(`item ${i + 1} is not id:base64key (an id of letters, digits, . _ or -, then a colon)`);
    }
    const key = Buffer.from(encoded, 'base64');
    if (!BASE64.test(encoded) || key.length !== KEY_BYTES) {
      throw new Error(`key "${id}" is not ${KEY_BYTES} bytes of base64 (make one with: openssl rand -base64 32)`);
    }
    if (keys.some(([known]) => known === id)) throw new Error(`key id "${id}" is listed twice`);
    keys.push([id, key]);
  });
  return createKeyRing(keys);
}

/** A fresh `id:base64key` item, for development keys and tests. */
export function generateKeyItem(prefix = 'key'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
