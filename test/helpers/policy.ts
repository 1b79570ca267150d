import { loadConfig } from '../../src/config';
import { sharingPolicyFrom } from '../../src/config/policies';
import type { CallingRules } from '../../src/workflows/followUp/callingTime';
import type { FollowUpPolicy, SessionPolicy } from '../../src/workflows/policy';

/**
 * Timers short enough for tests: a 1 s ttl, 1 s grace, reconciling every second, twice, a late end taken for 1 s
 * after an expiry; the default sharing.
 */
export const testPolicy: SessionPolicy = {
  voiceTtlSeconds: 1,
  endGraceSeconds: 1,
  chatTimeoutSeconds: 2,
  reconcileAttempts: 2,
  reconcileIntervalSeconds: 1,
  lateEndWindowSeconds: 1,
  sinks: [],
  callbackField: 'callbackRequested',
  sharing: sharingPolicyFrom(loadConfig({})),
};

/** Calling rules for tests: any day, any hour, the call placed `delayMs` after the customer asked (or at once). */
export const anyHour = (delayMs: number): CallingRules => ({
  timeZone: 'UTC',
  hours: { start: 0, end: 24 * 60 },
  days: [0, 1, 2, 3, 4, 5, 6],
  holidays: [],
  minDelayMs: delayMs,
  defaultDelayMs: delayMs,
  windows: {},
});

/**
 * A follow-up policy for tests: a 1 s call ttl and confirm grace, 3 attempts, 1 dial each, placed as soon as the
 * customer asked, the example's wish fields; a test names what it changes.
 */
export const testFollowUpPolicy = (overrides: Partial<FollowUpPolicy> = {}): FollowUpPolicy => ({
  phoneNumberId: 'pn-test',
  ttlSeconds: 1,
  maxAttempts: 3,
  maxDials: 1,
  confirmGraceSeconds: 1,
  rules: anyHour(0),
  fields: { day: 'preferredDay', window: 'preferredTimeWindow' },
  ...overrides,
});
