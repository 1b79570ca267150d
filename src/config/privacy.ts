import { z } from 'zod';
import { parseKeyRing } from '../temporal/keyRing';
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
  /** Session variables sent on as correlation ids; anything else (names, free text) stays here. */
  SHARE_CORRELATION_KEYS: NameList.prefault('crmContactId,taskId,campaignId,callAttemptId'),
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
