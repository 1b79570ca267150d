import type { ContactDetails, ExternalEvent, FollowUpEvent, OutcomeEvent } from '../../../contracts';
import type { ContactFacts, ContactRef, CrmCall, CrmTask } from './port';

/*
 * The CRM-neutral records derived from the external events: pure, so every CRM adapter writes the same facts and
 * the rules (what a call's title says, when a callback task is done) are tested once.
 */

/** Bounds on text a payload controls; HubSpot's own limit on a call body is 65,536 characters. */
const MAX_BODY = 20_000;
const MAX_LABEL = 120;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const https = (url: string | undefined) => (url && /^https:\/\//i.test(url) ? clip(url, 2000) : undefined);
const time = (iso: string | undefined) => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/** Who the event is about: the CRM id from the session variables, and the phone passed beside the event. */
export function contactRefOf(
  event: ExternalEvent,
  details: ContactDetails | undefined,
  idVariable: string,
): ContactRef {
  const crmContactId = event.correlation[idVariable]?.trim();
  const phoneNumber = details?.phoneNumber?.trim();
  return { crmContactId: crmContactId || undefined, phoneNumber: phoneNumber || undefined };
}

/** The session's call; undefined for a chat, which is not a call. */
export function callOf(event: OutcomeEvent): CrmCall | undefined {
  if (event.sessionType === 'CHAT') return undefined;
  const direction = event.direction === 'INBOUND' || event.direction === 'OUTBOUND' ? event.direction : undefined;
  const outcome = event.outcome ? clip(event.outcome, MAX_LABEL) : undefined;
  const started = time(event.startedAt);
  const ended = time(event.endedAt);
  const what = `Agntix ${direction ? `${direction.toLowerCase()} ` : ''}call`;
  const title =
    event.kind === 'in-flight' ? `${what} (in progress)` : event.kind === 'expired' ? `${what}: not reached` : what;
  const transcriptUrl = https(event.transcript?.ref);
  const recordingUrl = https(event.recordingUrl);
  const analysis = [
    outcome && `Outcome: ${outcome}`,
    event.resolution && `Resolution: ${event.resolution}`,
    event.sentiment && `Sentiment: ${event.sentiment}`,
    event.intent && `Intent: ${clip(event.intent, MAX_LABEL)}`,
  ].filter(Boolean);
  const body = [
    event.kind === 'in-flight' ? 'The AI agent is on the call.' : undefined,
    event.kind === 'expired' ? 'The session never reported an end: the customer was not reached.' : undefined,
    event.summary,
    analysis.length > 0 ? analysis.join(' · ') : undefined,
    transcriptUrl && `Transcript: ${transcriptUrl}`,
    recordingUrl && `Recording: ${recordingUrl}`,
    `Agntix session ${event.sessionId}`,
  ].filter((line): line is string => Boolean(line));
  return {
    sessionId: event.sessionId,
    state: event.kind === 'in-flight' ? 'in-progress' : event.kind === 'expired' ? 'not-reached' : 'completed',
    outcome: event.kind === 'in-flight' ? undefined : outcome,
    direction,
    title:
      outcome && (event.kind === 'completed' || event.kind === 'transcript-archived') ? `${title}: ${outcome}` : title,
    body: clip(body.join('\n\n'), MAX_BODY),
    startedAt: event.startedAt,
    endedAt: event.endedAt,
    durationMs: started !== undefined && ended !== undefined && ended >= started ? ended - started : undefined,
    recordingUrl,
    transcriptUrl,
  };
}

/** The follow-up's callback task: open while due; done once placed, cancelled or the chain ended. */
export function taskOf(event: FollowUpEvent): CrmTask {
  const base = {
    followUpId: event.followUpId,
    originalSessionId: event.originalSessionId,
    attempt: event.attempt,
    dueAt: event.scheduledAt,
    needsAttention: false,
  };
  const subject = `Agntix callback (attempt ${event.attempt})`;
  const reason = event.reason ? clip(event.reason, 500) : undefined;
  const about = `Follow-up ${event.followUpId} of Agntix session ${event.originalSessionId}.`;
  switch (event.kind) {
    case 'follow-up.scheduled':
      return {
        ...base,
        open: true,
        subject,
        body: `The customer asked to be called back. The AI agent calls at ${event.scheduledAt ?? 'the agreed time'}.\n\n${about}`,
      };
    case 'follow-up.placed':
      return {
        ...base,
        open: false,
        subject,
        body: `The AI agent placed the callback${event.callSessionId ? ` (Agntix session ${event.callSessionId})` : ''}.\n\n${about}`,
      };
    case 'follow-up.cancelled':
      return { ...base, open: false, subject, body: `Cancelled: ${reason ?? 'no reason given'}.\n\n${about}` };
    case 'follow-up.failed':
      return {
        ...base,
        open: true,
        needsAttention: true,
        subject: `Call the customer back: the AI callback failed (attempt ${event.attempt})`,
        body: `The AI agent could not place the call: ${reason ?? 'no reason given'}.\n\n${about}`,
      };
    case 'follow-up.needs-operator':
      return {
        ...base,
        open: true,
        needsAttention: true,
        subject: `Check the AI callback: did the customer get the call? (attempt ${event.attempt})`,
        body: `The AI agent's call may or may not have reached the customer, and the platform cannot tell; an operator decides (mark it placed or dial again). ${reason ?? ''}\n\n${about}`,
      };
    case 'follow-up.chain-ended':
      return {
        ...base,
        open: false,
        subject,
        body: `The callbacks ended: ${reason ?? 'no reason given'}.\n\n${about}`,
      };
  }
}

/**
 * What the event changes on the contact, given what the contact holds now: a late write of an older call never
 * replaces a newer one, and a callback time is cleared only by the follow-up that set it.
 */
export function factsAfter(event: ExternalEvent, current: ContactFacts): ContactFacts {
  switch (event.kind) {
    case 'completed':
    case 'expired': {
      const at = event.endedAt ?? event.startedAt ?? event.recordedAt;
      const known = time(current.lastCallAt);
      // A late session.ended replaces its own expiry, which may carry a later time (when it expired, not when it ended).
      const replacesExpiry = event.kind === 'completed' && event.supersedes && current.lastCallOutcome === 'EXPIRED';
      if (known !== undefined && (time(at) ?? 0) < known && !replacesExpiry) return {};
      return { lastCallOutcome: event.outcome ? clip(event.outcome, MAX_LABEL) : undefined, lastCallAt: at };
    }
    case 'follow-up.scheduled':
      return event.scheduledAt ? { callbackDueAt: event.scheduledAt } : {};
    case 'follow-up.placed':
    case 'follow-up.cancelled': {
      const due = time(current.callbackDueAt ?? undefined);
      return due !== undefined && due === time(event.scheduledAt) ? { callbackDueAt: null } : {};
    }
    default:
      // in flight: nothing to say yet; failed: the callback is still due, by a person; chain ended: said by the task.
      return {};
  }
}
