import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes operators filter on in the Web UI. Keyword values only: no raw phone number is ever
 * written to one. The dev server and `temporal:setup` register exactly this list.
 */
export const SearchAttributes = {
  agentId: defineSearchAttributeKey('AgntixAgentId', SearchAttributeType.KEYWORD),
  sessionType: defineSearchAttributeKey('AgntixSessionType', SearchAttributeType.KEYWORD),
  direction: defineSearchAttributeKey('AgntixDirection', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('AgntixPhase', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('AgntixOutcome', SearchAttributeType.KEYWORD),
  crmContactId: defineSearchAttributeKey('AgntixCrmContactId', SearchAttributeType.KEYWORD),
  followUpOf: defineSearchAttributeKey('AgntixFollowUpOf', SearchAttributeType.KEYWORD),
  followUpAttempt: defineSearchAttributeKey('AgntixFollowUpAttempt', SearchAttributeType.INT),
  followUpAt: defineSearchAttributeKey('AgntixFollowUpAt', SearchAttributeType.DATETIME),
  /** A follow-up's state (FollowUpState): `AgntixFollowUpState = 'needs-operator'` lists those waiting for a person. */
  followUpState: defineSearchAttributeKey('AgntixFollowUpState', SearchAttributeType.KEYWORD),
  /** `<keyId>:<hex>`, a keyed hash of the customer's phone number (src/temporal/customerHashes.ts): `npm run find`. */
  phoneHash: defineSearchAttributeKey('AgntixPhoneHash', SearchAttributeType.KEYWORD),
  /** The same keyed hash of the crmContactId, whatever its shape (the plain id is indexed only when it looks like one). */
  crmContactHash: defineSearchAttributeKey('AgntixCrmContactHash', SearchAttributeType.KEYWORD),
} as const;
