import type { AgntixClient, TranscriptMessage } from '../activities/agntix/client';
import type { TranscriptStore } from '../activities/agntix/transcripts';
import type { TranscriptLinkIssuer } from '../activities/sinks/transcriptLinks';
import type { OutcomeSink } from '../activities/sinks/types';
import type { TranscriptRef } from '../contracts';

/*
 * The one module your workflows and activities import from the core (docs/authoring.md). Workflows take types
 * only from here; activities may also use the helpers.
 */

export type { PostCallContext } from '../contracts/postCall';
export type { Condition, Rule, RuleAction, RuleSet } from './ruleSchema';
export type { AnalysisData, ExternalEvent, OutcomeEvent, SessionEndedEvent, TranscriptRef } from '../contracts';
export type { TranscriptMessage } from '../contracts/transcripts';
export { httpFailure, isRetryableStatus } from '../activities/httpStatus';
export { FAILURE } from '../contracts/failures';
/** Call HTTP peers through this, never plain `fetch`: no redirects followed, a bounded answer. */
export { outboundFetch } from '../activities/outboundFetch';

/** The core's clients, handed to your activity factories by the worker. */
export interface CoreClients {
  /** The Agntix API; undefined without AGNTIX_API_KEY. */
  agntix?: AgntixClient;
  /** Where transcripts are archived; a TranscriptRef's `ref` names one. */
  transcripts: TranscriptStore;
  /** The external systems outcomes are recorded in. */
  sinks: OutcomeSink[];
  /** Issues scoped transcript links; undefined without PostgreSQL (a reference is then a file of this host). */
  transcriptLinks?: TranscriptLinkIssuer;
}

/**
 * A link to the transcript served only to `system` (the request presents its reader credential, which the operator
 * gets from `npm run transcript-link`; docs/privacy.md), expiring after TRANSCRIPT_LINK_TTL_SECONDS; the reference as
 * it is without PostgreSQL. Send one only to a system of yours that needs the conversation.
 */
export function transcriptLinkFor(
  core: Pick<CoreClients, 'transcriptLinks'>,
  transcript: TranscriptRef | string,
  system: string,
): Promise<string> {
  const ref = typeof transcript === 'string' ? transcript : transcript.ref;
  return core.transcriptLinks ? core.transcriptLinks.linkFor(ref, system) : Promise.resolve(ref);
}

/**
 * The transcript a session archived, decrypted: the one way to read one (files are encrypted at rest). Pass the
 * context's `transcript` (or its `ref`). Keep what you read out of workflow history and out of logs.
 */
export function readTranscript(
  core: Pick<CoreClients, 'transcripts'>,
  transcript: TranscriptRef | string,
): Promise<TranscriptMessage[]> {
  return core.transcripts.read(typeof transcript === 'string' ? transcript : transcript.ref);
}
