import { ApplicationFailure } from '@temporalio/common';
import { SessionDetail } from '../../src/activities/agntix/client';
import { eventTypeLabel } from '../../src/api/metrics';
import { example } from '../../src/dev/examples';
import { dialResult } from '../../src/observability/activityMetrics';
import {
  OUTCOME_CLASSES,
  followUpStateLabel,
  outcomeClass,
  reconciliationResult,
} from '../../src/workflows/observability/metrics';

/** Every label a payload could influence takes its value from a fixed set. */
describe('metric labels stay within their sets', () => {
  it.each([
    [{ kind: 'expired', followUpDue: false }, 'expired'],
    [{ kind: 'completed', followUpDue: true, resolution: 'RESOLVED' }, 'callback-requested'],
    [{ kind: 'completed', followUpDue: false, resolution: 'PARTIALLY_RESOLVED' }, 'partially-resolved'],
    [{ kind: 'completed', followUpDue: false, resolution: 'NOT_APPLICABLE' }, 'not-applicable'],
    [{ kind: 'completed', followUpDue: false }, 'unclassified'],
    [{ kind: 'completed', followUpDue: false, resolution: 'Customer was VERY happy :)' }, 'unclassified'],
    [{ kind: 'completed', followUpDue: false, resolution: 'constructor' }, 'unclassified'],
  ] as const)('outcome %j is class %s', (outcome, expected) => {
    expect(outcomeClass(outcome)).toBe(expected);
    expect(OUTCOME_CLASSES).toContain(expected);
  });

  it('names follow-up states, needs-operator included, and anything else other', () => {
    expect(followUpStateLabel('placed')).toBe('placed');
    expect(followUpStateLabel('needs-operator')).toBe('needs-operator');
    expect(followUpStateLabel('a state from the future')).toBe('other');
  });

  it('names what a reconciliation found', () => {
    expect(reconciliationResult(undefined)).toBe('failed');
    expect(reconciliationResult({ skipped: 'AGNTIX_API_KEY is not set' })).toBe('skipped');
    const detail = (state: string) =>
      SessionDetail.parse({ ...example<Record<string, unknown>>('session-detail.json'), state, endedAt: null });
    expect(reconciliationResult(detail('CLOSED'))).toBe('closed');
    expect(reconciliationResult(detail('OPEN'))).toBe('open');
  });

  it('names what a dial proved, from the calls client failure types', () => {
    expect(dialResult()).toBe('placed');
    expect(dialResult(ApplicationFailure.nonRetryable('no', 'CallNotStarted'))).toBe('not-started');
    expect(dialResult(ApplicationFailure.nonRetryable('no', 'CallRejected'))).toBe('rejected');
    expect(dialResult(ApplicationFailure.retryable('maybe', 'CallOutcomeUnknown'))).toBe('unknown');
    expect(dialResult(new Error('worker lost'))).toBe('unknown');
  });

  it('names documented event types, and nothing the sender makes up', () => {
    expect(eventTypeLabel('session.ended')).toBe('session.ended');
    expect(eventTypeLabel('session.updated')).toBe('session.updated');
    expect(eventTypeLabel('session.ended.x')).toBe('other');
    expect(eventTypeLabel('__proto__')).toBe('other');
    expect(eventTypeLabel(undefined)).toBe('none');
  });
});
