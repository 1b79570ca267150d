import type { ContactDetails, ExternalEvent } from '../../contracts';

/** An external system that records session outcomes and follow-ups. Writes are idempotent on `idempotencyKey`. */
export interface OutcomeSink {
  name: string;
  /** `contact` is for systems that must find the customer (a CRM); the others ignore it. */
  record(event: ExternalEvent, contact?: ContactDetails): Promise<void>;
}
