/*
 * What the session API's answer means, shared by the activity that asks and the workflow that waits: both must read
 * "closed" and "still open" the same way.
 */

/** The part of the API's session detail that says whether it is over. */
export interface SessionClosure {
  state?: string | null;
  endedAt?: string | null;
}

/** The API says the session is over. EXPIRED counts: it will not send anything more. */
export function isClosed(detail: SessionClosure): boolean {
  return detail.state === 'CLOSED' || detail.state === 'EXPIRED' || Boolean(detail.endedAt && detail.state !== 'OPEN');
}

/** An extraction value that asks for a callback (the agent's callback field): true, "true" or "yes". */
export const asksForCallback = (value: unknown): boolean => value === true || value === 'true' || value === 'yes';

/** The parts of the API's session detail that say whether a call was answered. */
export interface CallDetail extends SessionClosure {
  analysis?: { summary?: unknown; intent?: unknown; resolution?: unknown; extractedData?: unknown } | null;
  /** Unpublished (API.md 7.2): the gateway's call duration. */
  callDurationInSeconds?: unknown;
}

/**
 * The API shows the call answered: closed (not expired) with a post-call analysis, or a call that lasted. An
 * unanswered call has neither (API.md: no end-reason field is documented, so the analysis is the evidence).
 */
export function wasAnswered(detail: CallDetail): boolean {
  if (!isClosed(detail) || detail.state === 'EXPIRED') return false;
  if (Number(detail.callDurationInSeconds) > 0) return true;
  const analysis = detail.analysis;
  if (!analysis) return false;
  const extracted = analysis.extractedData;
  const hasExtraction = typeof extracted === 'object' && extracted !== null && Object.keys(extracted).length > 0;
  return Boolean(analysis.summary || analysis.intent || analysis.resolution || hasExtraction);
}
