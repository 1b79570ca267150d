import { Context } from '@temporalio/activity';
import type { TranscriptRef } from '../../contracts';
import { archiveTranscript } from './archive';
import type { CallsClient, StartCallRequest } from './calls';
import type { AgntixClient, SessionDetail } from './client';
import { findDialledSession, type DialLookup, type DialVerdict } from './dialReconciliation';
import { withQuickRetries } from './quickRetries';
import type { DialLedger } from '../../store/dialLedger';
import type { TranscriptStore } from './transcripts';
import { asksForCallback, isClosed, wasAnswered } from '../../contracts/sessionState';
import { FAILURE, finalFailure, isFailure, retryableFailure } from '../../contracts/failures';

export interface AgntixActivityDeps {
  /** Undefined without AGNTIX_API_KEY: the API steps then report that they were skipped, and why. */
  agntix?: AgntixClient;
  calls?: CallsClient;
  transcripts: TranscriptStore;
  transcriptPageSize: number;
  /** A bound on pages, so an API that never reports its last page cannot loop an activity forever. */
  maxTranscriptPages: number;
  /** Every dial is claimed here before calls/start (src/store/dialLedger.ts). */
  dialLedger: DialLedger;
  /** How long an empty sessions list is given to show a late call before it is read again. */
  dialAbsenceSettleMs: number;
}

export type Skipped = { skipped: string };
/** The platform's word on a call: answered, and whether its analysis asks for a callback. */
export type CallAnswer = { answered: boolean; callbackRequested: boolean };
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
      throw retryableFailure(FAILURE.sessionStillOpen, 'the session API says the session is still open');
    }
    return detail;
  },

  /**
   * What the platform says of a follow-up's last call, asked before the next attempt dials: answered, and whether its
   * analysis asks for a callback. Only the verdict goes back to the workflow, never the analysis. A session the API
   * does not know (404) is not answered.
   */
  async askAboutCall(sessionId: string, callbackField: string): Promise<CallAnswer | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    const { agntix } = deps;
    const detail = await withQuickRetries(() => agntix.getSession(sessionId)).catch((err: unknown) => {
      if (isFailure(err, FAILURE.agntixNotFound)) return undefined;
      throw err;
    });
    if (!detail) return { answered: false, callbackRequested: false };
    return {
      answered: wasAnswered(detail),
      callbackRequested: asksForCallback(detail.analysis?.extractedData?.[callbackField]),
    };
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
    return findDialledSession(deps.agntix, lookup, deps.dialAbsenceSettleMs);
  },

  /**
   * Starts one follow-up call, dial `dial` of the calling follow-up workflow. Never retried by Temporal: the workflow
   * decides from the failure's type. A dial the ledger already holds (a reset, a redelivery after erasure or
   * retention, another deployment) is never made: `DialAlreadyMade`, and an operator decides.
   */
  async startFollowUpCall(request: StartCallRequest, dial: number): Promise<{ sessionId?: string }> {
    if (!deps.calls) throw finalFailure(FAILURE.callRejected, 'AGNTIX_API_KEY is not set');
    const followUpId = Context.current().info.workflowExecution?.workflowId;
    if (!followUpId) throw finalFailure(FAILURE.callRejected, 'a dial is made by a follow-up workflow');
    if (!(await deps.dialLedger.claim({ followUpId, dial }))) {
      throw finalFailure(
        FAILURE.dialAlreadyMade,
        `dial ${dial} of this follow-up was already made by an earlier run (the dial ledger holds it): not dialled again`,
      );
    }
    return deps.calls.startCall(request);
  },
});
