import { condition, setHandler, setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { agntixEventSignal, statusQuery, type SessionResult, type SessionWorkflowInput } from '../../contracts';
import { Session } from './session';

/**
 * One run per Agntix session (workflow id = session id), fed by the ingest endpoint's `agntixEvent` signals: marks
 * the task in flight, waits for session.ended (reconciling with the API when it is overdue), archives the
 * transcript, records the outcome in every external system, runs the post-call rules and the follow-up chain. It
 * always ends with an outcome recorded: completed, or expired after a bounded number of reconciliations.
 */
export async function sessionWorkflow({ sessionId, placedCall }: SessionWorkflowInput): Promise<SessionResult> {
  const session = new Session(sessionId, placedCall);
  setHandler(agntixEventSignal, (signal) => void session.ledger.accept(signal));
  setHandler(statusQuery, () => session.status());

  // A call placed by a follow-up is followed from the start; any other session begins with its first webhook.
  if (!placedCall) await condition(() => session.ledger.seen.length > 0);
  await session.begin();

  session.markInFlight();
  const end = await session.awaitEnd();

  return end ? session.postCall(end) : session.expire();
}

// With Worker Deployment versioning, a session finishes on the build that began it (it lasts hours at most), so a
// change to session code ships as a new build without a patch. Declared only on a versioned worker: the server
// refuses a versioning behavior from an unversioned one.
setWorkflowOptions(
  () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}),
  sessionWorkflow,
);
