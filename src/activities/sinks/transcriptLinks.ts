import type { ExternalEvent } from '../../contracts';
import {
  sessionOfRef,
  signTranscriptLink,
  type TranscriptLinkKeys,
  type TranscriptLinkSettings,
} from '../../store/transcriptLinks';
import type { OutcomeSink } from './types';

/** Turns a transcript reference of this service into a link for one system. */
export interface TranscriptLinkIssuer {
  /** A link only `system` is served, expiring after TRANSCRIPT_LINK_TTL_SECONDS; any other reference as it is. */
  linkFor(ref: string, system: string): Promise<string>;
}

export function createTranscriptLinkIssuer(
  settings: TranscriptLinkSettings,
  keys: TranscriptLinkKeys,
  now: () => number = Date.now,
): TranscriptLinkIssuer {
  return {
    async linkFor(ref, system) {
      const sessionId = sessionOfRef(settings, ref);
      if (!sessionId) return ref;
      return signTranscriptLink(settings, sessionId, system, await keys.keyOf(sessionId), now());
    },
  };
}

/**
 * An external system's sink that is sent its own transcript link in place of the reference the event carries. The
 * workflow already cut the transcript from the events of a system not allowed it (src/workflows/sharing.ts), so only
 * those systems get a link at all; the link is made here, at the write, so no history holds a credential, and a
 * retried write issues a fresh one.
 */
export function withTranscriptLinks(sink: OutcomeSink, issuer: TranscriptLinkIssuer): OutcomeSink {
  return {
    name: sink.name,
    async record(event, contact) {
      return sink.record(await linked(event, sink.name, issuer), contact);
    },
  };
}

async function linked(event: ExternalEvent, system: string, issuer: TranscriptLinkIssuer): Promise<ExternalEvent> {
  if (!('transcript' in event) || !event.transcript?.ref) return event;
  return { ...event, transcript: { ...event.transcript, ref: await issuer.linkFor(event.transcript.ref, system) } };
}
