import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './keyRing';

/** The encoding of an encrypted payload, as in Temporal's encryption samples; the Web UI shows it until decoded. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was sealed under, so a rotated-out key still decrypts what it sealed. */
export const KEY_ID_METADATA = 'encryption-key-id';

const { Payload: PayloadProto } = temporal.api.common.v1;
const utf8 = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/**
 * Encrypts every payload whole (metadata and data) with AES-256-GCM under the key ring's first key, and decrypts
 * with whichever configured key its metadata names. Payloads that are not encrypted pass through both ways, so
 * histories written before encryption was turned on still read. With `encrypt: false` it only decrypts: the way
 * to turn encryption off without losing what is already sealed.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: KeyRing,
    private readonly options: { encrypt: boolean } = { encrypt: true },
  ) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    if (!this.options.encrypt) return Promise.resolve(payloads);
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        const { keyId, sealed } = this.keys.seal(PayloadProto.encode(payload).finish());
        return {
          metadata: {
            [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
            [KEY_ID_METADATA]: Buffer.from(keyId),
          },
          data: sealed,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() =>
      payloads.map((payload) => {
        if (utf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
        const keyId = utf8(payload.metadata?.[KEY_ID_METADATA]);
        if (!keyId || !payload.data) throw new ValueError(`an ${ENCRYPTED_ENCODING} payload without a key id or data`);
        return PayloadProto.decode(this.keys.open(keyId, payload.data));
      }),
    );
  }
}
