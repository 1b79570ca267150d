import type { OutcomeEvent } from '../../shared/outcome';

/** An external system that records session outcomes. Writes must be idempotent on `event.idempotencyKey`. */
export interface OutcomeSink {
  name: string;
  record(event: OutcomeEvent): Promise<void>;
}
