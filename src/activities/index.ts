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
  /** What the store holds of the session already (its row's kind), when the worker has a store that answers. */
  recorded?: string;
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
  /**
   * The policy and the post-call rules in force, in one local activity: a session captures both at its start, with
   * what the store already holds of it (the sessions table outlives every history: erased, retained away, reset). A
   * store that does not answer says nothing, and the session runs as new, as it would without a store.
   */
  async loadSessionSettings(sessionId?: string): Promise<SessionSettings> {
    const store = deps.sinks.find((sink) => sink.recordedKind);
    const recorded = sessionId ? await store?.recordedKind?.(sessionId).catch(() => undefined) : undefined;
    return { policy: deps.policy, rules: deps.rules, ...(recorded ? { recorded } : {}) };
  },

  ...createAgntixActivities(deps),
  ...createSinkActivities(deps.sinks),
});

export type SessionActivities = ReturnType<typeof createActivities>;
