import { loadConfig } from '../../src/config';
import { followUpPolicyFrom } from '../../src/worker/deps';
import { sharingPolicyFrom } from '../../src/worker/sharingPolicy';
import type { CallingRules } from '../../src/workflows/followUp/callingTime';
import type { FollowUpPolicy, SessionPolicy } from '../../src/workflows/policy';

const defaults = loadConfig({});

/**
 * Timers short enough for tests: a 1 s ttl, 1 s grace, reconciling every second, twice; the default sharing; the
 * default follow-up settings without a phone number to call from, so no call is placed: a wished callback is noted
 * in the session's failures as not scheduled (followUpsOff). Tests of follow-ups pass testFollowUpPolicy.
 */
export const testPolicy: SessionPolicy = {
  voiceTtlSeconds: 1,
  maxTtlSeconds: defaults.SESSION_MAX_TTL_SECONDS,
  endGraceSeconds: 1,
  chatTimeoutSeconds: 2,
  reconcileAttempts: 2,
  reconcileIntervalSeconds: 1,
  sinks: [],
  transcriptWaitSeconds: defaults.TRANSCRIPT_WAIT_SECONDS,
  callbackField: 'callbackRequested',
  followUp: { ...followUpPolicyFrom(defaults), disabledBecause: 'AGNTIX_PHONE_NUMBER_ID is not set' },
  sharing: sharingPolicyFrom(defaults),
};

/** What a session under testPolicy notes when its customer asked for a callback. */
export const followUpsOff = { step: 'schedule follow-up', message: 'not scheduled: AGNTIX_PHONE_NUMBER_ID is not set' };

/** Follow-ups that dial (a phone number id, short graces), with the defaults' operator grace and fields. */
export const testFollowUpPolicy = (
  overrides: Partial<FollowUpPolicy> & Pick<FollowUpPolicy, 'rules'>,
): FollowUpPolicy => ({
  phoneNumberId: 'pn-test',
  ttlSeconds: 1,
  maxAttempts: 3,
  maxDials: 3,
  confirmGraceSeconds: 3,
  operatorGraceSeconds: defaults.FOLLOWUP_OPERATOR_GRACE_SECONDS,
  fields: { day: 'preferredDay', window: 'preferredTimeWindow' },
  ...overrides,
});

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
