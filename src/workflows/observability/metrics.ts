import { metricMeter } from '@temporalio/workflow';
import type { Skipped } from '../../activities';
import type { SessionDetail } from '../../activities/agntix/client';
import type { OutcomeEvent, SessionPhase, SessionResult } from '../../contracts';
import { isClosed } from '../session/decisions';

/*
 * The session and follow-up counters, counted by the workflows through the SDK's workflow metric meter: they reach
 * the worker's Prometheus endpoint with the SDK's own metrics, and a replay (a worker restart, a cache eviction)
 * counts nothing twice. The SDK adds namespace, taskQueue and workflowType; every other label comes from a small
 * fixed set, never from a payload. Names are the exported ones without `_total`, which the exporter appends.
 */

export const WorkflowCounters = {
  sessionsFinished: { name: 'agntix_sessions_finished', help: 'Sessions finished, by final phase and outcome class' },
  sessionExpiries: { name: 'agntix_session_expiries', help: 'Sessions recorded as expired' },
  reconciliations: {
    name: 'agntix_session_reconciliations',
    help: 'Questions to the session API about an overdue end',
  },
  followUpStates: { name: 'agntix_follow_up_states', help: 'Follow-ups entering each state' },
} as const;

const counter = ({ name, help }: { name: string; help: string }) => metricMeter.createCounter(name, undefined, help);

/** The agent's callOutcome is free text: metrics carry only these classes of it. */
export const OUTCOME_CLASSES = [
  'callback-requested',
  'resolved',
  'partially-resolved',
  'unresolved',
  'not-applicable',
  'unclassified',
  'expired',
] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

const resolutionClasses: Record<string, OutcomeClass> = {
  RESOLVED: 'resolved',
  PARTIALLY_RESOLVED: 'partially-resolved',
  UNRESOLVED: 'unresolved',
  NOT_APPLICABLE: 'not-applicable',
};

/** An outcome as a metric label: expired, a callback wish, else the resolution classification. */
export function outcomeClass(outcome: Pick<OutcomeEvent, 'kind' | 'followUpDue' | 'resolution'>): OutcomeClass {
  if (outcome.kind === 'expired') return 'expired';
  if (outcome.followUpDue) return 'callback-requested';
  const resolution = outcome.resolution;
  return resolution !== undefined && Object.hasOwn(resolutionClasses, resolution)
    ? resolutionClasses[resolution]!
    : 'unclassified';
}

/** A follow-up's states, including those other code paths may add; anything else is `other`. */
export const FOLLOW_UP_STATE_LABELS = [
  'scheduled',
  'dialling',
  'awaiting-confirmation',
  'placed',
  'cancelled',
  'failed',
  'needs-operator',
] as const;

export const followUpStateLabel = (state: string): string =>
  (FOLLOW_UP_STATE_LABELS as readonly string[]).includes(state) ? state : 'other';

export const RECONCILIATION_RESULTS = ['closed', 'open', 'failed', 'skipped'] as const;
export type ReconciliationResult = (typeof RECONCILIATION_RESULTS)[number];

/** What one question to the session API found: closed, still open, not answered, or not asked (no API key). */
export function reconciliationResult(detail: SessionDetail | Skipped | undefined): ReconciliationResult {
  if (detail === undefined) return 'failed';
  if ('skipped' in detail) return 'skipped';
  return isClosed(detail) ? 'closed' : 'open';
}

/** A session workflow returned: its final phase, its outcome class and where its end came from. */
export function countFinishedSession(phase: SessionPhase, outcome: OutcomeEvent, source: SessionResult['source']) {
  counter(WorkflowCounters.sessionsFinished).add(1, { phase, outcome_class: outcomeClass(outcome), source });
}

/** A session never ended, even by the API's word; `webhooks_seen` tells a lost session.ended from a call never made. */
export function countExpiry(createdSeen: boolean) {
  counter(WorkflowCounters.sessionExpiries).add(1, { webhooks_seen: createdSeen ? 'session.created' : 'none' });
}

/** Counts a follow-up's entries into each state; showing the same state again counts nothing. */
export class FollowUpStateCounter {
  private last?: string;

  observe(state: string): void {
    if (state === this.last) return;
    this.last = state;
    counter(WorkflowCounters.followUpStates).add(1, { state: followUpStateLabel(state) });
  }
}
