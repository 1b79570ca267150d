import { ApplicationFailure, log } from '@temporalio/activity';
import type { ContactDetails, ExternalEvent, TranscriptRef } from '../shared/outcome';
import type { SessionPolicy } from '../shared/policy';
import type { RuleSet } from '../shared/postCall';
import type { AgntixClient, SessionDetail, TranscriptMessage } from './agntixClient';
import type { CallsClient, StartCallRequest } from './calls';
import type { OutcomeSink } from './sinks/types';
import type { TranscriptStore } from './transcriptStore';

export interface ActivityDeps {
  /** Undefined without AGNTIX_API_KEY: the API steps then report that they were skipped, and why. */
  agntix?: AgntixClient;
  calls?: CallsClient;
  transcripts: TranscriptStore;
  sinks: OutcomeSink[];
  policy: SessionPolicy;
  /** The post-call rules in force (validated at start-up); a session captures them when its post-call step starts. */
  rules: RuleSet;
  transcriptPageSize: number;
  /** A bound on pages, so an API that never reports its last page cannot loop an activity forever. */
  maxTranscriptPages: number;
}

export type Skipped = { skipped: string };
const NO_API_KEY: Skipped = { skipped: 'AGNTIX_API_KEY is not set' };

/** The session workflow's activities; the worker injects clients and config, tests inject local servers. */
export const createActivities = (deps: ActivityDeps) => ({
  /** The timers and external systems in force when a session starts; captured once per session. */
  loadSessionPolicy(): Promise<SessionPolicy> {
    return Promise.resolve(deps.policy);
  },

  /** The rules in force now; captured once per session, when its post-call step starts. */
  loadPostCallRules(): Promise<RuleSet> {
    return Promise.resolve(deps.rules);
  },

  /** Writes one outcome event to one external system, so a failing system never blocks the others. */
  async recordOutcome(sinkName: string, event: ExternalEvent, contact?: ContactDetails): Promise<void> {
    const sink = deps.sinks.find((s) => s.name === sinkName);
    if (!sink) throw ApplicationFailure.nonRetryable(`no external system named ${sinkName}`, 'UnknownSink');
    await sink.record(event, contact);
  },

  /** Starts one follow-up call. Never retried by Temporal: the workflow decides from the failure's type. */
  async startFollowUpCall(request: StartCallRequest): Promise<{ sessionId?: string }> {
    if (!deps.calls) throw ApplicationFailure.nonRetryable('AGNTIX_API_KEY is not set', 'CallRejected');
    return deps.calls.startCall(request);
  },

  /** Reads the session from the API, for a session.ended that never arrived. */
  async getSessionDetail(sessionId: string): Promise<SessionDetail | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    return deps.agntix.getSession(sessionId);
  },

  /** Fetches every page of the transcript and archives it; only the reference goes back to the workflow. */
  async archiveTranscript(sessionId: string): Promise<TranscriptRef | Skipped> {
    if (!deps.agntix) return NO_API_KEY;
    const messages: TranscriptMessage[] = [];
    let page = 1;
    for (; page <= deps.maxTranscriptPages; page++) {
      const result = await deps.agntix.getMessagesPage(sessionId, page, deps.transcriptPageSize);
      messages.push(...result.data);
      const totalPages = result.pagination?.totalPages ?? result.meta?.totalPages;
      // Loop on totalPages whatever page size the API chose; stop on an empty page if it reports none.
      if (result.data.length === 0 || (totalPages !== undefined && page >= totalPages)) break;
    }
    if (page > deps.maxTranscriptPages) log.warn('transcript truncated at the page bound', { sessionId, page });
    const ref = await deps.transcripts.put(sessionId, messages);
    return { ref, messages: messages.length, pages: Math.min(page, deps.maxTranscriptPages) };
  },
});

export type SessionActivities = ReturnType<typeof createActivities>;
