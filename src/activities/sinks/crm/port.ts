/*
 * What a CRM adapter implements for the CRM sink (crm/sink.ts). The records are CRM-neutral: the sink derives them
 * from the external events (crm/records.ts); each adapter maps them to its own objects and fields and keys every
 * write on the session or follow-up id, so a retried or redelivered event updates the record it wrote before.
 * HubSpot is one adapter (sinks/hubspot); Salesforce would be another (upsert by external id with jsforce).
 */

/** What identifies the customer: the CRM id the call was started with, else the phone number. */
export interface ContactRef {
  crmContactId?: string;
  phoneNumber?: string;
}

/** Facts kept on the contact record; `null` clears a value. Which fields hold them is the adapter's setting. */
export interface ContactFacts {
  lastCallOutcome?: string;
  lastCallAt?: string;
  callbackDueAt?: string | null;
}

export type ContactFact = keyof ContactFacts;

/** A contact record, with the facts it holds now (so a late write never overwrites a newer one). */
export interface CrmContact {
  id: string;
  facts: ContactFacts;
}

export type CallState = 'in-progress' | 'completed' | 'not-reached';

/** One call per Agntix session, keyed by the session id. */
export interface CrmCall {
  sessionId: string;
  state: CallState;
  /** The agent's callOutcome, else the resolution classification; EXPIRED when the session never ended. */
  outcome?: string;
  direction?: 'INBOUND' | 'OUTBOUND';
  title: string;
  /** Plain text: the summary and the analysis, with links where the deployment provides them. */
  body: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  recordingUrl?: string;
  transcriptUrl?: string;
}

/** One callback task per follow-up, keyed by the follow-up id. */
export interface CrmTask {
  followUpId: string;
  originalSessionId: string;
  attempt: number;
  /** Open while the call is due; done once it was placed, cancelled or the chain ended. */
  open: boolean;
  /** The AI could not place the call: a person should. */
  needsAttention: boolean;
  dueAt?: string;
  subject: string;
  body: string;
}

/** A CRM as the sink uses it. Every method is idempotent; failures are thrown as Temporal ApplicationFailures. */
export interface CrmPort {
  /**
   * The customer's contact: found by the CRM id, else by phone; created when neither finds one (if the adapter is
   * set to), in a way that cannot create it twice. Undefined when the reference names no one it can find or create.
   */
  contactFor(ref: ContactRef): Promise<CrmContact | undefined>;
  /**
   * Creates or updates the session's call and associates it with the contact. A call only moves forward (in
   * progress, not reached, completed): false when the CRM holds it in a later state already, and nothing was written.
   */
  saveCall(call: CrmCall, contact: CrmContact | undefined): Promise<boolean>;
  /** Creates or updates the follow-up's task and associates it with the contact. */
  saveTask(task: CrmTask, contact: CrmContact | undefined): Promise<void>;
  /** The facts the contact holds now (read again just before they are compared and written). */
  factsOf(contact: CrmContact): Promise<ContactFacts>;
  /** Writes the facts the adapter is set to keep on contacts (others are ignored). */
  updateContact(contact: CrmContact, facts: ContactFacts): Promise<void>;
}
