import type { SessionCreatedEvent, SessionEndedEvent, AnalysisData } from './agntixEvents';
import type { TranscriptRef } from './externalEvents';

/** The typed post-call context: the session, its analysis, transcript, correlation ids and follow-up chain. */
export interface PostCallContext {
  sessionId: string;
  created?: SessionCreatedEvent;
  ended: SessionEndedEvent;
  analysis?: AnalysisData;
  /** Where the transcript was archived (read it with the transcript store), when the API was reachable. */
  transcript?: TranscriptRef;
  /** The session variables echoed by the platform, as strings: crmContactId, taskId, campaignId, ... */
  correlation: Record<string, string>;
  /** The customer's CRM id, read from the variable CRM_CONTACT_VARIABLE names (./crmContact.ts). */
  crmContactId?: string;
  /** Set when this session is a follow-up call: the chain's original session and the attempt number. */
  chain?: { root: string; attempt: number };
  /** Where the analysis came from: the session.ended webhook, or the API after a lost webhook. */
  source: 'webhook' | 'reconciled';
}
