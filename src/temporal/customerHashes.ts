import { createHmac } from 'node:crypto';
import type { CustomerHashes } from '../contracts/searchIndex';

/*
 * Keyed hashes operators find a customer's sessions by (AgntixPhoneHash, AgntixCrmContactHash). A plain SHA-256 of a
 * phone number is reversed by hashing every number of a country in minutes; an HMAC under a key only this service
 * holds is not. Written as `<keyId>:<hex>` under the first key; `npm run find` and erasure ask for the value under
 * every key, so a key rotates without losing the sessions indexed under the one before.
 */

export interface CustomerHasher {
  /** The hashes written to a new session: under the first key. */
  hashesOf(customer: { phone?: string; crmContactId?: string }): CustomerHashes;
  /** Every value a customer may be indexed under, one per key (for a search). */
  phoneCandidates(phone: string): string[];
  crmContactCandidates(crmContactId: string): string[];
}

/** `+44 7700-900999` and `+447700900999` are one customer: only the leading `+` and the digits count. */
export const normalisePhone = (phone: string): string => phone.replace(/(?!^\+)[^\d]/g, '');

/** Parses `id1:base64key,id2:base64key`, the first writing; each key at least 32 bytes. Errors never show a key. */
export function parseHashKeys(text: string): Array<[id: string, key: Buffer]> {
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) throw new Error('no keys given');
  return items.map((item, n) => {
    const at = item.indexOf(':');
    const id = item.slice(0, at);
    const key = Buffer.from(item.slice(at + 1), 'base64');
    if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error(`item ${n + 1} is not id:base64key`);
    if (key.length < 32) throw new Error(`key "${id}" is shorter than 32 bytes`);
    return [id, key];
  });
}

export function createCustomerHasher(keys: Array<[id: string, key: Buffer]>): CustomerHasher {
  const hash = ([id, key]: [string, Buffer], kind: string, value: string) =>
    `${id}:${createHmac('sha256', key).update(`${kind}\0${value}`).digest('hex')}`;
  const first = keys[0];
  if (!first) throw new Error('a customer hasher needs at least one key');
  return {
    hashesOf({ phone, crmContactId }) {
      return {
        ...(phone ? { phone: hash(first, 'phone', normalisePhone(phone)) } : {}),
        ...(crmContactId ? { crmContact: hash(first, 'crm', crmContactId) } : {}),
      };
    },
    phoneCandidates: (phone) => keys.map((key) => hash(key, 'phone', normalisePhone(phone))),
    crmContactCandidates: (id) => keys.map((key) => hash(key, 'crm', id)),
  };
}
