import { DEFAULT_CRM_CONTACT_VARIABLE } from './crmContact';

/*
 * What may enter the visibility store. It is plain text to anyone with Web UI access and in every visibility export,
 * so only enums and ids are written, each from an allow-list: an outcome from the classes an operator configured, a
 * CRM id matching the configured pattern. A customer is found by keyed hashes instead (AgntixPhoneHash).
 */

/** The index rules a session runs with; captured with its policy, so a configuration change never alters one. */
export interface SearchIndexPolicy {
  /** Outcome labels written as they are; any other outcome is written as `other`. */
  outcomeClasses: string[];
  /** A crmContactId is written only when it matches (an e-mail address used as an id does not, by default). */
  crmIdPattern: string;
  /** The session variable holding the customer's CRM id (./crmContact.ts); DEFAULT_CRM_CONTACT_VARIABLE when absent. */
  crmContactVariable?: string;
}

/** The Agntix docs' callOutcome enum (API.md): what an agent built from its example schema answers. */
export const DEFAULT_OUTCOME_CLASSES = ['Confirmed', 'Rescheduled', 'Unavailable', 'WrongNumber'];
/** Letters, digits and `_ . : -`, up to 64: HubSpot's numeric ids and ids like `CRM-40215`; not `@`, spaces or `+`. */
export const DEFAULT_CRM_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';

export const DEFAULT_SEARCH_INDEX: SearchIndexPolicy = {
  outcomeClasses: DEFAULT_OUTCOME_CLASSES,
  crmIdPattern: DEFAULT_CRM_ID_PATTERN,
  crmContactVariable: DEFAULT_CRM_CONTACT_VARIABLE,
};

/**
 * Enums the index always holds: the service's own EXPIRED and the platform's resolution classifications (API.md),
 * which stand in for a missing callOutcome. Operators filter on them (`AgntixOutcome = "EXPIRED"`).
 */
export const SERVICE_OUTCOMES = ['EXPIRED', 'RESOLVED', 'PARTIALLY_RESOLVED', 'UNRESOLVED', 'NOT_APPLICABLE'];

/** The outcome as the index may hold it: a configured class or one of the service's enums, else `other`. */
export const indexedOutcome = (outcome: string, index: SearchIndexPolicy = DEFAULT_SEARCH_INDEX): string =>
  index.outcomeClasses.includes(outcome) || SERVICE_OUTCOMES.includes(outcome) ? outcome : 'other';

// The pattern is tested against at most 64 characters, so an operator's pattern cannot be made slow by a payload.
const MAX_ID_CHARS = 64;

/** The CRM id when it may be indexed in plain text, else undefined. */
export function indexableCrmId(id: string | undefined, index: SearchIndexPolicy = DEFAULT_SEARCH_INDEX) {
  if (!id || id.length > MAX_ID_CHARS) return undefined;
  return new RegExp(index.crmIdPattern).test(id) ? id : undefined;
}

/** The keyed hashes of a customer, computed by the API (which holds the key) and carried on by the workflows. */
export interface CustomerHashes {
  phone?: string;
  crmContact?: string;
}
