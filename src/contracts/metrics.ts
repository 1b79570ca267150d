import type { OutcomeEvent } from './externalEvents';
import { isClosed, type SessionClosure } from './sessionState';

/*
 * The names and label values of the service's own counters, shared by the workflows that count them, the activity
 * interceptor and the exporter that starts them at zero. Every label comes from a small fixed set, never from a
 * payload.
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

/** The answer of one question to the session API: its detail, not asked (no API key), or none. */
export type ReconciledDetail = SessionClosure | { skipped: string } | undefined;

/** What one question to the session API found: closed, still open, not answered, or not asked (no API key). */
export function reconciliationResult(detail: ReconciledDetail): ReconciliationResult {
  if (detail === undefined) return 'failed';
  if ('skipped' in detail) return 'skipped';
  return isClosed(detail) ? 'closed' : 'open';
}
