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
