import { condition, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { agntixEventSignal, statusQuery, type SessionResult, type SessionWorkflowInput } from '../../contracts';
import { Session } from './session';

/**
 * One run per Agntix session (workflow id = session id), fed by the ingest endpoint's `agntixEvent` signals: marks
 * the task in flight, waits for session.ended (reconciling with the API when it is overdue), archives the
 * transcript, records the outcome in every external system, runs the post-call rules and the follow-up chain. It
 * always ends with an outcome recorded: completed, or expired after a bounded number of reconciliations and the
 * platform's retry window (a session.ended within it replaces the expiry).
 */
export async function sessionWorkflow(input: SessionWorkflowInput): Promise<SessionResult> {
  const { sessionId, placedCall, followsExpiry } = input;
  const session = new Session(sessionId, placedCall, followsExpiry);
  setHandler(agntixEventSignal, (signal) => void session.ledger.accept(signal));
  setHandler(statusQuery, () => session.status());

  // A call placed by a follow-up is followed from the start; any other session begins with its first webhook.
  if (!placedCall) await condition(() => session.ledger.seen.length > 0);
  await session.begin();
  // A redelivery after the history is gone: the store says the outcome was recorded, so it is not recorded again.
  if (session.alreadyRecorded) return session.alreadyRecordedResult();

  session.markInFlight();
  const end = await session.awaitEnd();
  if (end) return session.postCall(end);

  // Expiry is provisional while the platform may still deliver: a late session.ended replaces it everywhere.
  await session.expire();
  const late = await session.awaitLateEnd();
  return late ? session.postCall(late) : session.expired();
}

// With Worker Deployment versioning, a session finishes on the build that began it (it lasts hours at most; an
// expired one a late-end window more, 24 h by default: docs/operations.md, rolling deploys), so a
// change to session code ships as a new build without a patch. Declared only on a versioned worker: the server
// refuses a versioning behavior from an unversioned one.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}),
  sessionWorkflow,
);
