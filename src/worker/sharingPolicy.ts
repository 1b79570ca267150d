import type { Config } from '../config';
import type { SharingPolicy } from '../workflows/policy';

/** What each external system is sent, from configuration; each session captures it when it starts. */
export function sharingPolicyFrom(config: Config): SharingPolicy {
  return {
    correlationKeys: config.SHARE_CORRELATION_KEYS,
    // The fields this service itself acts on are labels the systems need to follow the outcome; others are opt-in.
    extractedFields: [
      ...new Set([
        'callOutcome',
        config.CALLBACK_FIELD,
        config.FOLLOWUP_DAY_FIELD,
        config.FOLLOWUP_WINDOW_FIELD,
        ...config.SHARE_EXTRACTED_FIELDS,
      ]),
    ],
    textWith: config.SHARE_TEXT_WITH,
    evidenceWith: config.SHARE_EVIDENCE_WITH,
    phoneWith: config.SHARE_PHONE_WITH,
  };
}
