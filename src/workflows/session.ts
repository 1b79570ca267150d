import { condition, setHandler } from '@temporalio/workflow';
import {
  sessionEventSignal,
  statusQuery,
  type SessionPhase,
  type SessionStatus,
  type SessionWorkflowInput,
  type StepFailure,
} from '../shared/definitions';
import { SessionLedger } from './sessionLedger';

export interface SessionResult {
  sessionId: string;
  phase: SessionPhase;
  seen: SessionStatus['seen'];
}

/** One run per Agntix session (workflow id = session id), fed by the ingest endpoint's signals. */
export async function sessionWorkflow({ sessionId }: SessionWorkflowInput): Promise<SessionResult> {
  const ledger = new SessionLedger();
  const failures: StepFailure[] = [];
  let phase: SessionPhase = 'awaiting-end';

  setHandler(sessionEventSignal, (signal) => {
    ledger.accept(signal);
  });
  setHandler(statusQuery, () => ({
    sessionId,
    phase,
    seen: ledger.seen,
    duplicatesIgnored: ledger.duplicatesIgnored,
    failures,
  }));

  const ended = await condition(() => ledger.ended !== undefined, '1 day');
  phase = ended ? 'done' : 'expired';
  return { sessionId, phase, seen: ledger.seen };
}
