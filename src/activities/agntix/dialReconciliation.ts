import { Context } from '@temporalio/activity';
import { FollowUpVariables } from '../../contracts';
import type { AgntixClient } from './client';

/*
 * Did an ambiguous calls/start place the call? calls/start has no idempotency key, and the call's own webhook may be
 * late (Svix retries after 5 s, 5 min, 30 min) or lost, so before dialling again the follow-up asks the Agntix API:
 * the agent's sessions (the list is newest first, API.md 7.5), back to the moment of the dial, looking for the
 * dial's attempt id in their session variables. The answer is one of three, and only a proven one is acted on.
 */

/** The dial to look for: its agent, its unguessable attempt id, and when it was made. */
export interface DialLookup {
  agentId: string;
  attemptId: string;
  dialledAt: string;
}

export type DialVerdict =
  /** A session carries the attempt id: the call was placed, this is its session. */
  | { found: string }
  /** Every session of the agent since the dial was read, each with its variables, and none carries the attempt id. */
  | { absent: true; scanned: number }
  /** The list cannot prove either (why, in words without payload data). */
  | { unsettled: string };

const PAGE_LIMIT = 100;
const MAX_PAGES = 10;
/** Sessions this much older than the dial are still read: the platform's clock is not ours. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Absence is proven twice: the platform may accept a call (a queued dial) before its sessions list shows it, so an
 * empty first read is only believed once a second read, `settleMs` later, finds the call absent too. The assumption
 * is that a call calls/start accepted is listed within `settleMs` (FOLLOWUP_ABSENCE_SETTLE_SECONDS); a platform that
 * lists later than that can still be dialled twice.
 */
export async function findDialledSession(
  agntix: AgntixClient,
  lookup: DialLookup,
  settleMs: number,
): Promise<DialVerdict> {
  const first = await readSessionsSinceDial(agntix, lookup);
  if (!('absent' in first) || settleMs <= 0) return first;
  await heartbeatingSleep(settleMs);
  return readSessionsSinceDial(agntix, lookup);
}

/** Waits in the activity, heartbeating, so a worker lost meanwhile is noticed by its heartbeat timeout. */
async function heartbeatingSleep(ms: number): Promise<void> {
  const context = Context.current();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    context.heartbeat();
    await context.sleep(Math.min(5_000, until - Date.now()));
  }
}

/** Reads the agent's sessions since the dial, newest first, for the one carrying the attempt id. */
async function readSessionsSinceDial(agntix: AgntixClient, lookup: DialLookup): Promise<DialVerdict> {
  const since = Date.parse(lookup.dialledAt) - CLOCK_SKEW_MS;
  let scanned = 0;
  let previous = Infinity;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = await agntix.listSessions({ agentId: lookup.agentId, page, limit: PAGE_LIMIT });
    for (const session of result.data) {
      const variables = session.metadata?.sessionVariables;
      if (variables?.[FollowUpVariables.attemptId] === lookup.attemptId) return { found: session.id };
      const created = Date.parse(session.createdAt ?? '');
      if (!Number.isFinite(created)) return { unsettled: 'the sessions list shows no createdAt' };
      if (created > previous) return { unsettled: 'the sessions list is not newest first' };
      previous = created;
      if (created < since) return { absent: true, scanned };
      if (!variables) return { unsettled: 'the sessions list shows no session variables' };
      scanned += 1;
    }
    const totalPages = result.pagination?.totalPages ?? result.meta?.totalPages;
    if (result.data.length === 0 || (totalPages !== undefined && page >= totalPages)) return { absent: true, scanned };
  }
  return { unsettled: `more than ${MAX_PAGES * PAGE_LIMIT} sessions of the agent since the dial` };
}
