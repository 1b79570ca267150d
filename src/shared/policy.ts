import type { FollowUpPolicy } from './followUp';

/** The timers and external systems a session runs with; loaded from worker config when a session starts. */
export interface SessionPolicy {
  /** Used when a voice session's variables carry no `ttl`. calls/start defaults to 100 s (docs) or 600 s (gateway). */
  voiceTtlSeconds: number;
  /** Added to a voice session's ttl before the end is considered overdue. */
  endGraceSeconds: number;
  /** How long a chat may stay open before it is reconciled. */
  chatTimeoutSeconds: number;
  /** How many times to ask the API again while it still says the session is open. */
  reconcileAttempts: number;
  reconcileIntervalSeconds: number;
  /** Names of the enabled external systems (activities/sinks). */
  sinks: string[];
  /** The agent's extraction field that asks for a callback. */
  callbackField: string;
  /** Absent in sessions started before follow-ups existed: they replay without scheduling one. */
  followUp?: FollowUpPolicy;
}
