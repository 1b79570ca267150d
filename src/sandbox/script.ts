import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repo's example payloads (a copy of shared/agntix/examples), the sandbox's script. */
export const examplesDir = path.resolve(__dirname, '../../examples/agntix');
const example = (name: string) =>
  JSON.parse(readFileSync(path.join(examplesDir, name), 'utf8')) as Record<string, unknown>;

export interface SandboxSession {
  id: string;
  state: 'OPEN' | 'CLOSED';
  /** Set for calls started through calls/start: the session variables, echoed in every webhook. */
  variables: Record<string, string> | undefined;
  messages: Array<Record<string, unknown>>;
  outcome?: { callbackRequested: boolean };
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

function withSession(base: Record<string, unknown>, session: SandboxSession): Record<string, unknown> {
  const metadata = base.metadata as Record<string, unknown>;
  return {
    ...base,
    id: session.id,
    createdAt: new Date().toISOString(),
    metadata: { ...metadata, sessionVariables: session.variables ?? metadata.sessionVariables },
  };
}

export function sessionCreatedEvent(session: SandboxSession): Record<string, unknown> {
  return withSession(example('session-created.voice-outbound.json'), session);
}

/** session.ended; with a callback request the customer asks for "today", so the follow-up is due soon. */
export function sessionEndedEvent(
  session: SandboxSession,
  outcome = { callbackRequested: true },
): Record<string, unknown> {
  const base = withSession(example('session-ended.voice-callback-requested.json'), session);
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
