import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/encryption';
import { createKeyRing, generateKeyItem, parseKeyRing } from '../../src/temporal/keyRing';

const CUSTOMER = { customerName: 'Priya Raman', customerPhoneNumber: '+447700900412' };
const utf8 = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');

describe('payload encryption', () => {
  const old = generateKeyItem('k1');
  const current = generateKeyItem('k2');

  it('encrypts a payload whole under the first key, naming it, and decrypts it back', async () => {
    const codec = new EncryptionCodec(parseKeyRing(`${current},${old}`));
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(CUSTOMER)]);
    expect(utf8(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(encrypted!.metadata![KEY_ID_METADATA])).toBe(current.split(':')[0]);
    expect(Buffer.from(encrypted!.data!).includes('Priya')).toBe(false);
    expect(Object.keys(encrypted!.metadata!)).not.toContain('json/plain'); // the inner encoding is sealed too
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(CUSTOMER);
  });

  it('rotates without downtime: a payload sealed under the old key opens after a new key is put first', async () => {
    const [sealedBefore] = await new EncryptionCodec(parseKeyRing(old)).encode([
      defaultPayloadConverter.toPayload(CUSTOMER),
    ]);
    const rotated = new EncryptionCodec(parseKeyRing(`${current},${old}`));
    const [opened] = await rotated.decode([sealedBefore!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(CUSTOMER);
  });

  it('refuses a payload whose key is no longer configured, naming the key', async () => {
    const [sealed] = await new EncryptionCodec(parseKeyRing(old)).encode([defaultPayloadConverter.toPayload(1)]);
    await expect(new EncryptionCodec(parseKeyRing(current)).decode([sealed!])).rejects.toThrow(
      `sealed under key "${old.split(':')[0]}", which is not among the configured keys`,
    );
  });

  it('refuses a tampered payload', async () => {
    const codec = new EncryptionCodec(parseKeyRing(current));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(CUSTOMER)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/tampered/);
  });

  it('passes plain payloads through, so histories from before encryption still read', async () => {
    const plain = defaultPayloadConverter.toPayload(CUSTOMER);
    const [decoded] = await new EncryptionCodec(parseKeyRing(current)).decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('with encryption off, writes plain payloads and still opens sealed ones', async () => {
    const keys = parseKeyRing(current);
    const [sealed] = await new EncryptionCodec(keys).encode([defaultPayloadConverter.toPayload(CUSTOMER)]);
    const off = new EncryptionCodec(keys, { encrypt: false });
    const plain = defaultPayloadConverter.toPayload(CUSTOMER);
    expect(await off.encode([plain])).toEqual([plain]);
    expect(defaultPayloadConverter.fromPayload((await off.decode([sealed!]))[0]!)).toEqual(CUSTOMER);
  });

  it.each([
    ['an empty list', '', /at least one/],
    ['an id without a key', 'k1', /item 1 is not id:base64key/],
    ['an empty key', 'k1:', /key "k1" is not 32 bytes/],
    ['a 16-byte key', `k1:${randomBytes(16).toString('base64')}`, /key "k1" is not 32 bytes/],
    ['a key in hex', `k1:${randomBytes(32).toString('hex')}`, /key "k1" is not 32 bytes/],
    ['an id listed twice', `${old},${old}`, /is listed twice/],
    ['an id with a space', `bad id:${randomBytes(32).toString('base64')}`, /item 1 is not id:base64key/],
  ])('refuses %s, naming the item', (_case, text, message) => {
    expect(() => parseKeyRing(text)).toThrow(message);
  });

  it('never puts key bytes in its errors', () => {
    const key = randomBytes(31).toString('base64');
    let message = '';
    try {
      parseKeyRing(`k1:${key}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/key "k1"/);
    expect(message).not.toContain(key);
  });

  it('seals with a fresh iv each time', () => {
    const ring = createKeyRing([['k', randomBytes(32)]]);
    expect(ring.seal(Buffer.from('same')).sealed.equals(ring.seal(Buffer.from('same')).sealed)).toBe(false);
  });
});
