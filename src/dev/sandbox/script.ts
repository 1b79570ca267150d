import { example } from '../examples';

/** A scripted call of the sandbox. */
export interface ScriptedSession {
  id: string;
  /** Set for calls started through calls/start: the session variables, echoed in every webhook. */
  variables: Record<string, string> | undefined;
  messages: Array<Record<string, unknown>>;
  /** Set for calls started through calls/start: the agent and the number dialled. */
  agentId?: string;
  customerPhoneNumber?: string;
}

/** Nine turns of the example call, with fresh times, so a transcript spans several pages. */
export function scriptedTranscript(): Array<Record<string, unknown>> {
  const lines = [
    ['USER', 'Hello?'],
    ['ASSISTANT', 'Hi, this is the scheduling assistant from Northgate Home Services, about your visit on the 20th.'],
    ['USER', "Yes, speaking, but I'm driving at the moment."],
    ['ASSISTANT', 'No problem. The technician needs an arrival window, morning or afternoon.'],
    ['USER', 'Could you ring me back a bit later today?'],
    ['ASSISTANT', "Of course, we'll call you back later today."],
    ['USER', 'Thanks.'],
    ['ASSISTANT', 'Drive safely. Goodbye.'],
    ['USER', 'Bye.'],
  ] as const;
  const start = Date.now();
  return lines.map(([role, content], i) => ({
    id: `msg_sandbox_${i}`,
    role,
    content,
    createdAt: new Date(start + i * 4000).toISOString(),
  }));
}

function withSession(base: Record<string, unknown>, session: ScriptedSession): Record<string, unknown> {
  const metadata = base.metadata as Record<string, unknown>;
  return {
    ...base,
    id: session.id,
    agentId: session.agentId ?? base.agentId,
    createdAt: new Date().toISOString(),
    metadata: {
      ...metadata,
      customerPhoneNumber: session.customerPhoneNumber ?? metadata.customerPhoneNumber,
      sessionVariables: session.variables ?? metadata.sessionVariables,
    },
  };
}

export function sessionCreatedEvent(session: ScriptedSession): Record<string, unknown> {
  return withSession(example<Record<string, unknown>>('session-created.voice-outbound.json'), session);
}

/** session.ended; with a callback request the customer asks for "today", so the follow-up is due soon. */
export function sessionEndedEvent(
  session: ScriptedSession,
  outcome = { callbackRequested: true },
): Record<string, unknown> {
  const base = withSession(example<Record<string, unknown>>('session-ended.voice-callback-requested.json'), session);
  const analysis = base.analysis as Record<string, unknown>;
  const now = new Date().toISOString();
  return {
    ...base,
    state: 'CLOSED',
    lastActivityAt: now,
    endedAt: now,
    updatedAt: now,
    recordingUrl: `https://app.agntix.ai/en/logs-history?opened=${session.id}`,
    analysis: {
      ...analysis,
      summary: outcome.callbackRequested
        ? 'The customer was driving and asked to be called back later today.'
        : 'The customer confirmed a morning arrival window for the service visit.',
      extractedData: outcome.callbackRequested
        ? { slotConfirmed: false, preferredDay: 'today', callbackRequested: true, callOutcome: 'Unavailable' }
        : { slotConfirmed: true, preferredTimeWindow: 'Morning', callbackRequested: false, callOutcome: 'Confirmed' },
    },
  };
}
