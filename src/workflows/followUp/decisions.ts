import type { FollowUpConfirmation, SessionEndedEvent } from '../../contracts';

/*
 * Pure decisions of the follow-up chain, with their own tests (test/workflows/session/decisions.test.ts).
 */

export type FollowUpDecision =
  | { action: 'none' }
  | { action: 'schedule'; root: string; attempt: number }
  | { action: 'end-chain'; root: string; attempt: number; reason: string };

/**
 * What follows a session. A customer who asks for a callback gets the next attempt; so does an unanswered
 * follow-up call (its session expired). A follow-up whose session ended without asking again was satisfied or
 * declined, which ends its chain; so does reaching the attempt limit.
 */
export function decideFollowUp(input: {
  sessionId: string;
  chain?: { root: string; attempt: number };
  callbackRequested: boolean;
  expired: boolean;
  maxAttempts: number;
}): FollowUpDecision {
  const root = input.chain?.root ?? input.sessionId;
  const attempt = input.chain?.attempt ?? 0;
  const wantsAnother = input.callbackRequested || (input.chain !== undefined && input.expired);
  if (!wantsAnother) {
    return input.chain
      ? { action: 'end-chain', root, attempt, reason: 'the callback was satisfied or declined' }
      : { action: 'none' };
  }
  if (attempt + 1 > input.maxAttempts) {
    return { action: 'end-chain', root, attempt, reason: `attempt limit of ${input.maxAttempts} reached` };
  }
  return { action: 'schedule', root, attempt: attempt + 1 };
}

/** The wished day and window, from the agent's own extraction field names. */
export function callbackWishOf(ended: SessionEndedEvent | undefined, fields: { day: string; window: string }) {
  const data = ended?.analysis?.extractedData ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  return { day: text(data[fields.day]), window: text(data[fields.window]) };
}

/** A phone number as digits (and a leading +), so formatting differences do not matter. */
const digitsOf = (phone: string | undefined) => phone?.replace(/[^\d+]/g, '') ?? '';

/**
 * Whether a session that echoed one of our attempt ids can be the call we dialled: an outbound voice session to the
 * same customer number, with the same agent. Anything else (a chat, an inbound call, another number or agent that
 * carried the variables) proves nothing about our dial.
 */
export function confirmsDial(
  confirmation: FollowUpConfirmation,
  dialled: { agentId: string; customerPhoneNumber: string },
): boolean {
  const number = digitsOf(confirmation.customerPhoneNumber);
  return (
    confirmation.type === 'VOICE' &&
    confirmation.direction === 'OUTBOUND' &&
    confirmation.agentId === dialled.agentId &&
    number !== '' &&
    number === digitsOf(dialled.customerPhoneNumber)
  );
}
