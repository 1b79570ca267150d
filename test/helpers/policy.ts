import { loadConfig } from '../../src/config';
import { sharingPolicyFrom } from '../../src/worker/sharingPolicy';
import type { SessionPolicy } from '../../src/workflows/policy';

/** Timers short enough for tests: a 1 s ttl, 1 s grace, reconciling every second, twice; the default sharing. */
export const testPolicy: SessionPolicy = {
  voiceTtlSeconds: 1,
  endGraceSeconds: 1,
  chatTimeoutSeconds: 2,
  reconcileAttempts: 2,
  reconcileIntervalSeconds: 1,
  sinks: [],
  callbackField: 'callbackRequested',
  sharing: sharingPolicyFrom(loadConfig({})),
};
