import { z } from 'zod';
import { DEFAULT_CRM_ID_PATTERN, DEFAULT_OUTCOME_CLASSES, type SearchIndexPolicy } from '../contracts/searchIndex';
import { parseAllowedUsers } from '../temporal/codecUsers';
import { createCustomerHasher, parseHashKeys, type CustomerHasher } from '../temporal/customerHashes';
import { parseKeyRing } from '../temporal/keyRing';
import { crmContactFields } from './crm';
import { NameList, optional } from './fields';

/*
 * The privacy settings (docs/privacy.md): payload and transcript encryption, the codec server the Web UI decodes
 * through, and what each external system is sent. Validated with the rest of the configuration (src/config/).
 */

/** "k2:base64key,k1:base64key": the first encrypts, all decrypt. */
const KeyRingSetting = z.string().transform((text, ctx) => {
  try {
    return parseKeyRing(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const AllowedUsersSetting = NameList.transform((entries, ctx) => {
  try {
    return parseAllowedUsers(entries);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const HashKeysSetting = z.string().transform((text, ctx) => {
  try {
    return parseHashKeys(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export const PrivacyConfig = z.object({
  PAYLOAD_ENCRYPTION_KEYS: optional(KeyRingSetting),
  /** `off` writes new payloads in plain text (configured keys still decrypt old ones). */
  PAYLOAD_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8888),
  /** The Web UI origins allowed to call the codec server; the dev server's UI when unset outside production. */
  CODEC_CORS_ORIGINS: optional(NameList),
  /** Bearer tokens the codec server accepts (several during a rotation). */
  CODEC_AUTH_TOKENS: optional(NameList),
  /** An OIDC userinfo endpoint: a user's access token passed on by the Web UI is accepted when it answers 200. */
  CODEC_AUTH_USERINFO_URL: optional(z.url()),
  /**
   * Who may decode through CODEC_AUTH_USERINFO_URL: `sub:<id>`, `email:<address>`, `domain:<name>`, `group:<name>`
   * (the userinfo claims sub, email, groups). Required with it in production.
   */
  CODEC_ALLOWED_USERS: optional(AllowedUsersSetting),
  /** Outcome labels written to the AgntixOutcome search attribute as they are; any other is written as `other`. */
  SEARCH_OUTCOME_CLASSES: NameList.prefault(DEFAULT_OUTCOME_CLASSES.join(',')),
  ...crmContactFields,
  /** A CRM id is written to AgntixCrmContactId only when it matches this regular expression. */
  SEARCH_CRM_ID_PATTERN: z.string().default(DEFAULT_CRM_ID_PATTERN).refine(isRegExp, 'is not a regular expression'),
  /**
   * `id:base64key,...` (32+ random bytes each): the keys of the customer hashes operators find sessions by
   * (`npm run find`). The first writes, all are searched. Unset: no hash is written (`npm start` makes one).
   */
  CUSTOMER_HASH_KEYS: optional(HashKeysSetting),
  /** The Web UI's address, for the links `npm run find` prints. */
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  /**
   * Session variables sent on as correlation ids; anything else (names, free text) stays here. Unset: the
   * CRM_CONTACT_VARIABLE and DEFAULT_CORRELATION_KEYS; empty: none.
   */
  SHARE_CORRELATION_KEYS: NameList.optional(),
  /** extractedData fields sent on, beyond callOutcome and the callback, day and window fields this service reads. */
  SHARE_EXTRACTED_FIELDS: NameList.prefault(''),
  /**
   * External systems that receive free text: the summary and the analysis' explanations. Unset: those whose
   * declaration says they receive it (src/activities/sinks/registry.ts: outcome-webhook, hubspot); empty: none.
   */
  SHARE_TEXT_WITH: NameList.optional(),
  /** External systems that also receive resolution.evidence (quoted turns of the call). */
  SHARE_EVIDENCE_WITH: NameList.prefault(''),
  /**
   * External systems that receive the customer's full phone number; the others get it masked. Unset: those whose
   * declaration says they receive it (the CRM, hubspot, which finds the contact by it); empty: none.
   */
  SHARE_PHONE_WITH: NameList.optional(),
});

export type PrivacyConfig = z.infer<typeof PrivacyConfig>;

/** The correlation ids sent on besides the CRM contact's, when SHARE_CORRELATION_KEYS is unset. */
export const DEFAULT_CORRELATION_KEYS = ['taskId', 'campaignId', 'callAttemptId'];

/** What the index may hold, and the hasher that finds customers (undefined without CUSTOMER_HASH_KEYS). */
export function searchIndexFrom(config: PrivacyConfig): { policy: SearchIndexPolicy; hasher?: CustomerHasher } {
  const policy = {
    outcomeClasses: config.SEARCH_OUTCOME_CLASSES,
    crmIdPattern: config.SEARCH_CRM_ID_PATTERN,
    crmContactVariable: config.CRM_CONTACT_VARIABLE,
  };
  return config.CUSTOMER_HASH_KEYS ? { policy, hasher: createCustomerHasher(config.CUSTOMER_HASH_KEYS) } : { policy };
}
