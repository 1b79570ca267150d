import { createHash } from 'node:crypto';

/**
 * The signal-with-start request id of a delivery, the same for every redelivery of one Svix message. Temporal keeps
 * the request ids a run has seen and answers a repeat without adding to its history, so Svix's retries (up to a
 * day of them) and a manual resend cost the session's history nothing. A random id made each one a new signal.
 *
 * A UUID (RFC 9562 version 8, the custom-hash layout) from a SHA-256 of the Svix message id, the event type and the
 * session id: the svix-id alone names the message; the other two keep a message that was somehow reused for another
 * event from being taken for a repeat.
 */
export function deliveryRequestId(svixId: string, eventType: string, sessionId: string): string {
  const hash = createHash('sha256').update(`${svixId}\n${eventType}\n${sessionId}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
