import { ApplicationFailure } from '@temporalio/activity';
import type { TranscriptRef } from '../../contracts';
import { archiveTranscript } from './archive';
import type { CallsClient, StartCallRequest } from './calls';
import type { AgntixClient, SessionDetail } from './client';
import { findDialledSession, type DialLookup, type DialVerdict } from './dialReconciliation';
import { withQuickRetries } from './quickRetries';
import type { TranscriptStore } from './transcripts';
import { isClosed, SESSION_STILL_OPEN } from '../../workflows/session/decisions';

export interface AgntixActivityDeps {
  /** Undefined without AGNTIX_API_KEY: the API steps then report that they were skipped, and why. */
  agntix?: AgntixClient;
  calls?: CallsClient;
  transcripts: TranscriptStore;
  transcriptPageSize: number;
  /** A bound on pages, so an API that never reports its last page cannot loop an activity forever. */
  maxTranscriptPages: number;
}

export type Skipped = { skipped: string };
const NO_API_KEY: Skipped = { skipped: 'AGNTIX_API_KEY is not set' };

/** The activities that talk to the Agntix API. */
export const createAgntixActivities = (deps: AgntixActivityDeps) => ({
  /**
   * The session's detail once the API says it is over. While it says the session is open this fails with the
   * retryable `SessionStillOpen`, so the workflow's retry policy asks again after each reconcile interval: every
   * check of an overdue session is one attempt of one activity, and no timer (issue #16).
   */
  async getClosedSession(sessionId: string): Promise<SessionDetail | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    const { agntix } = deps;
    const detail = await withQuickRetries(() => agntix.getSession(sessionId));
    if (!isClosed(detail)) {
      throw ApplicationFailure.retryable('the session API says the session is still open', SESSION_STILL_OPEN);
    }
    return detail;
  },

  /** Fetches every page of the transcript (resuming after pages already fetched) and archives it; only the
   * reference goes back to the workflow. */
  async archiveTranscript(sessionId: string): Promise<TranscriptRef | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    const { agntix, transcripts, transcriptPageSize: pageSize, maxTranscriptPages: maxPages } = deps;
    return archiveTranscript({ agntix, transcripts, pageSize, maxPages }, sessionId);
  },

  /** Whether an ambiguous dial placed its call, from the Agntix sessions list (see dialReconciliation.ts). */
  async findDialledSession(lookup: DialLookup): Promise<DialVerdict | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    return findDialledSession(deps.agntix, lookup);
  },

  /** Starts one follow-up call. Never retried by Temporal: the workflow decides from the failure's type. */
  async startFollowUpCall(request: StartCallRequest): Promise<{ sessionId?: string }> {
    if (!deps.calls) throw ApplicationFailure.nonRetryable('AGNTIX_API_KEY is not set', 'CallRejected');
    return deps.calls.startCall(request);
  },
});
