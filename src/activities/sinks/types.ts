import type { ExternalEvent } from '../../contracts';

/** An external system that records session outcomes and follow-ups. Writes are idempotent on `idempotencyKey`. */
export interface OutcomeSink {
  name: string;
  record(event: ExternalEvent): Promise<void>;
}
