import { Runtime } from '@temporalio/worker';
import { FOLLOW_UP_WORKFLOW_TYPE, SESSION_WORKFLOW_TYPE } from '../contracts';
import {
  FOLLOW_UP_STATE_LABELS,
  OUTCOME_CLASSES,
  RECONCILIATION_RESULTS,
  WorkflowCounters,
} from '../contracts/metrics';
import {
  ActivityCounters,
  ARCHIVE_TRANSCRIPT,
  DIAL_RESULTS,
  GET_CLOSED_SESSION,
  RECORD_OUTCOME,
  RECORD_OUTCOME_EVERYWHERE,
  START_FOLLOW_UP_CALL,
} from './activityMetrics';

/**
 * Starts the counters the alert rules and the dashboard watch at zero, with the labels the SDK gives them once counted (the worker's
 * namespace and taskQueue, the workflow or activity type). A counter that first appears at 1 has no earlier sample,
 * so `increase()` would miss its first event, which for a rare one (a follow-up needing an operator, an external
 * system's first failure) is the one that matters.
 */
export function startAlertedCountersAtZero(worker: {
  namespace: string;
  taskQueue: string;
  sinkNames: readonly string[];
}): void {
  const meter = Runtime.instance().metricMeter.withTags({ namespace: worker.namespace, taskQueue: worker.taskQueue });
  const counter = (tags: Record<string, string>, { name, help }: { name: string; help: string }) =>
    meter.withTags(tags).createCounter(name, undefined, help);

  const ofFollowUps = { workflowType: FOLLOW_UP_WORKFLOW_TYPE };
  const ofSessions = { workflowType: SESSION_WORKFLOW_TYPE };
  const states = counter(ofFollowUps, WorkflowCounters.followUpStates);
  for (const state of FOLLOW_UP_STATE_LABELS) states.add(0, { state });
  const expiries = counter(ofSessions, WorkflowCounters.sessionExpiries);
  for (const seen of ['session.created', 'none']) expiries.add(0, { webhooks_seen: seen });
  // Writes are counted by the shared write of each event and by a system's own write after it failed one.
  for (const activityType of [RECORD_OUTCOME_EVERYWHERE, RECORD_OUTCOME]) {
    const writes = counter({ activityType }, ActivityCounters.externalWrites);
    for (const system of worker.sinkNames) for (const result of ['ok', 'failed']) writes.add(0, { system, result });
  }
  const dials = counter({ activityType: START_FOLLOW_UP_CALL }, ActivityCounters.dials);
  for (const result of DIAL_RESULTS) dials.add(0, { result });
  const reconciliations = counter({ activityType: GET_CLOSED_SESSION }, WorkflowCounters.reconciliations);
  for (const result of RECONCILIATION_RESULTS) reconciliations.add(0, { result });
  counter({ activityType: ARCHIVE_TRANSCRIPT }, ActivityCounters.transcriptPages).add(0);
  const finished = counter(ofSessions, WorkflowCounters.sessionsFinished);
  for (const source of ['webhook', 'reconciled']) {
    for (const outcome_class of OUTCOME_CLASSES.filter((c) => c !== 'expired')) {
      finished.add(0, { phase: 'done', outcome_class, source });
    }
  }
  finished.add(0, { phase: 'expired', outcome_class: 'expired', source: 'none' });
}
