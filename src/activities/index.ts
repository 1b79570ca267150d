import type { RuleSet } from '../automations/ruleSchema';
import type { SessionPolicy } from '../contracts/policy';
import { createAgntixActivities, type AgntixActivityDeps } from './agntix/activities';
import { createSinkActivities } from './sinks/activities';
import type { TranscriptLinkIssuer } from './sinks/transcriptLinks';
import type { OutcomeSink } from './sinks/types';

export type { Skipped } from './agntix/activities';
export type { DialVerdict } from './agntix/dialReconciliation';
export type { SinkWrite, SinkWriteFailure } from './sinks/activities';

/** What a session captures when it starts (loadSessionSettings). */
export interface SessionSettings {
  policy: SessionPolicy;
  rules: RuleSet;
}

export interface ActivityDeps extends AgntixActivityDeps {
  sinks: OutcomeSink[];
  policy: SessionPolicy;
  /** The post-call rules in force (validated at start-up); a session captures them with its policy when it starts. */
  rules: RuleSet;
  /** Scoped transcript links for the engineers' activities (src/automations/core.ts); with PostgreSQL only. */
  transcriptLinks?: TranscriptLinkIssuer;
}

/** The core workflows' activities; the worker injects clients and config, tests inject local servers. */
export const createActivities = (deps: ActivityDeps) => ({
  /** The policy and the post-call rules in force, in one local activity: a session captures both at its start. */
  loadSessionSettings(): Promise<SessionSettings> {
    return Promise.resolve({ policy: deps.policy, rules: deps.rules });
  },

  ...createAgntixActivities(deps),
  ...createSinkActivities(deps.sinks),
});

export type SessionActivities = ReturnType<typeof createActivities>;
