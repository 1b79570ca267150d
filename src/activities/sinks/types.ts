import type { ContactDetails, ExternalEvent } from '../../contracts';

/** An external system that records session outcomes and follow-ups. Writes are idempotent on `idempotencyKey`. */
export interface OutcomeSink {
  name: string;
  /** `contact` is for systems that must find the customer (a CRM); the others ignore it. */
  record(event: ExternalEvent, contact?: ContactDetails): Promise<void>;
  /** Present on the stores this service keeps (npm run forget); a system told over the wire cannot be reached. */
  erasure?: OutcomeErasure;
  /**
   * Present on the stores this service keeps: the kind of the session's row (`in-flight`, `completed`, `expired`),
   * undefined without one. A run whose history is gone reads here whether the outcome was recorded already.
   */
  recordedKind?: (sessionId: string) => Promise<string | undefined>;
}

/** Whose data to erase: one session (with the follow-up calls of its chain), or everything about a CRM contact. */
export type ErasureSubject =
  | { sessionId: string }
  /** `variable` is the session variable holding CRM ids (CRM_CONTACT_VARIABLE), as the rows' correlation keeps it. */
  | { crmContactId: string; variable: string };

/** How a store finds and erases what it holds about a customer. */
export interface OutcomeErasure {
  /** The session ids it holds rows for that belong to the subject, follow-up calls of their chains included. */
  sessionsOf(subject: ErasureSubject): Promise<string[]>;
  /** Removes every row about these sessions and their follow-ups, beyond recovery from its files; the rows removed. */
  forget(sessionIds: string[]): Promise<number>;
}

/** What `npm run forget` did in a system this service wrote to over the wire, for the operator. */
export interface RemoteErasureReport {
  /** One line per record removed or anonymised, naming it by its id there, never by a customer's value. */
  removed: string[];
  /** What is left there that this command does not remove, and who can. */
  left: string[];
}

/** How `npm run forget` reaches a system it wrote to, through that system's own deletion endpoints. */
export interface RemoteErasure {
  name: string;
  /** Removes what this service wrote there about the subject and these sessions (their follow-ups included). */
  forget(subject: ErasureSubject, sessionIds: string[]): Promise<RemoteErasureReport>;
}
