import { metricMeter } from '@temporalio/workflow';
import type { OutcomeEvent, SessionPhase, SessionResult } from '../../contracts';
import { followUpStateLabel, outcomeClass, WorkflowCounters } from '../../contracts/metrics';

export * from '../../contracts/metrics';

/*
 * The session and follow-up counters, counted by the workflows through the SDK's workflow metric meter: they reach
 * the worker's Prometheus endpoint with the SDK's own metrics, and a replay (a worker restart, a cache eviction)
 * counts nothing twice. The SDK adds namespace, taskQueue and workflowType; every other label comes from a small
 * fixed set, never from a payload. Names are the exported ones without `_total`, which the exporter appends.
 */

const counter = ({ name, help }: { name: string; help: string }) => metricMeter.createCounter(name, undefined, help);

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
