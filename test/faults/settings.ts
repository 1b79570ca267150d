/*
 * The shape of one fault run. Every figure can be changed through the environment (FAULTS_*), so a failing run can be
 * replayed (FAULTS_SEED) or made larger on a bigger machine; the defaults fit about 10 minutes on 2 cores.
 */

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

export interface FaultSettings {
  seed: number;
  sessions: number;
  /** Each event of a session is delivered this many times (one Svix message, redelivered). */
  redeliveries: number;
  /** The window over which sessions begin; the kills and the restart happen inside it. */
  trafficSeconds: number;
  callbackShare: number;
  /** Sessions whose session.ended is never delivered (the API says CLOSED: reconciled). */
  lostEndShare: number;
  /** Sessions that never end (the API keeps saying OPEN: expired). */
  neverEndsShare: number;
  /**
   * Sessions whose session.ended comes after they expired (the API says OPEN until then): a late end that must
   * replace the expiry, within the late-end window or, for the latest, by a run that follows it.
   */
  lateEndShare: number;
  pageFailureShare: number;
  outcomeFailureShare: number;
  /** calls/start requests that place the call and still answer 502. */
  dialAmbiguousShare: number;
  /** Generated fuzz bodies of each family (random JSON, mutated real events); each is sent unsigned and signed. */
  fuzzRuns: number;
  /** Forged, stale and tampered deliveries, each. */
  hostilePerKind: number;
  workerKills: number;
  /** After the traffic, how long every session and follow-up may take to close. */
  drainSeconds: number;
  /** The whole run, setup to report; past it every child is stopped and the run fails. */
  hardLimitSeconds: number;
}

export function faultSettings(env: NodeJS.ProcessEnv = process.env): FaultSettings {
  return {
    seed: number(env, 'FAULTS_SEED', Math.floor(Math.random() * 2 ** 31)),
    sessions: number(env, 'FAULTS_SESSIONS', 300),
    redeliveries: number(env, 'FAULTS_REDELIVERIES', 3),
    trafficSeconds: number(env, 'FAULTS_TRAFFIC_SECONDS', 150),
    callbackShare: number(env, 'FAULTS_CALLBACK_SHARE', 0.2),
    lostEndShare: number(env, 'FAULTS_LOST_END_SHARE', 0.1),
    neverEndsShare: number(env, 'FAULTS_NEVER_ENDS_SHARE', 0.08),
    lateEndShare: number(env, 'FAULTS_LATE_END_SHARE', 0.03),
    pageFailureShare: number(env, 'FAULTS_PAGE_FAILURES', 0.2),
    outcomeFailureShare: number(env, 'FAULTS_OUTCOME_FAILURES', 0.2),
    dialAmbiguousShare: number(env, 'FAULTS_DIAL_AMBIGUOUS', 0.1),
    fuzzRuns: number(env, 'FAULTS_FUZZ_RUNS', 100),
    hostilePerKind: number(env, 'FAULTS_HOSTILE_PER_KIND', 30),
    workerKills: number(env, 'FAULTS_WORKER_KILLS', 3),
    drainSeconds: number(env, 'FAULTS_DRAIN_SECONDS', 300),
    hardLimitSeconds: number(env, 'FAULTS_HARD_LIMIT_SECONDS', 780),
  };
}

/**
 * The service's settings for the run: timers short enough that expiries, reconciliations and follow-ups all happen
 * inside it, calling rules that allow any hour, and the fake Agntix and the outcome receiver as its peers.
 */
export function serviceTimers(timeZone: string): NodeJS.ProcessEnv {
  return {
    SESSION_VOICE_TTL_SECONDS: '20',
    SESSION_END_GRACE_SECONDS: '10',
    SESSION_CHAT_TIMEOUT_SECONDS: '30',
    SESSION_RECONCILE_ATTEMPTS: '2',
    SESSION_RECONCILE_INTERVAL_SECONDS: '10',
    // Short, so an expired session closes inside the run; a late end within it replaces the expiry (supersedes).
    SESSION_LATE_END_WINDOW_SECONDS: '30',
    FOLLOWUP_CALLING_HOURS: '00:00-24:00',
    FOLLOWUP_CALLING_DAYS: 'sun,mon,tue,wed,thu,fri,sat',
    FOLLOWUP_TIME_ZONE: timeZone,
    FOLLOWUP_MIN_DELAY_MINUTES: '0.2',
    FOLLOWUP_DEFAULT_DELAY_MINUTES: '0.2',
    FOLLOWUP_CALL_TTL_SECONDS: '20',
    // Short, so an ambiguous dial is decided inside the run. "Never dial twice" must hold whatever the grace.
    FOLLOWUP_CONFIRM_GRACE_SECONDS: '30',
    // The second read of the sessions list before a redial (the rig lists some ambiguous calls only after 35 s).
    FOLLOWUP_ABSENCE_SETTLE_SECONDS: '10',
  };
}

/**
 * A fixed-offset zone where it is now about noon: callbacks wished for "today" then always fall inside the run,
 * whatever the hour in UTC (near midnight, "today" would have passed and the call would move to tomorrow).
 */
export function middayZone(now = new Date()): string {
  const offset = Math.max(-12, Math.min(14, 12 - now.getUTCHours()));
  // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+5.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
