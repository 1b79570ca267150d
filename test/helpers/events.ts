import { freshSession } from '../../src/dev/examples';

type EndedEvent = Record<string, unknown> & {
  metadata: { sessionVariables: Record<string, string> };
  analysis: { extractedData: Record<string, unknown> };
};

/**
 * The example voice call's session.ended under a session id of the test's own (fresh timestamps), with the analysis'
 * extracted data replaced when given: what a test changes to ask for a callback, or not.
 */
export function sessionEndedWith(sessionId: string, extractedData?: Record<string, unknown>): EndedEvent {
  const event = freshSession('session-ended.voice-callback-requested.json', sessionId) as EndedEvent;
  if (extractedData) event.analysis.extractedData = extractedData;
  return event;
}

/** `n` transcript messages, user and assistant in turn, in the shape the Agntix messages endpoint serves. */
export const transcriptTurns = (n: number, content = (i: number) => `turn ${i}`) =>
  Array.from({ length: n }, (_, i) => ({
    id: `msg_${i}`,
    role: i % 2 ? 'ASSISTANT' : 'USER',
    content: content(i),
    createdAt: new Date().toISOString(),
  }));
