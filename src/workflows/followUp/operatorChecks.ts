import type { FollowUpState } from '../../contracts';
import { insideCallingHours, type CallingRules } from './callingTime';

/*
 * What an operator may ask of a follow-up, and when: the validators of its updates. A refused update never reaches
 * the workflow's history, and its message is what `npm run followup` shows.
 */

export function mustBeScheduled(state: FollowUpState): void {
  if (state !== 'scheduled') throw new Error(`the follow-up is ${state}, no longer scheduled`);
}

/** A follow-up is cancelled while it waits for its slot, or for an operator's word on an uncertain dial. */
export function mustBeCancellable(state: FollowUpState): void {
  if (state !== 'needs-operator') mustBeScheduled(state);
}

export function mustNeedOperator(state: FollowUpState): void {
  if (state !== 'needs-operator') throw new Error(`the follow-up is ${state}, not waiting for an operator`);
}

/** The call's session id becomes a workflow id (its session is followed): an Agntix session id, nothing else. */
export function validateMarkPlaced(state: FollowUpState, sessionId: unknown): void {
  mustNeedOperator(state);
  if (typeof sessionId !== 'string' || !/^[\w-]{1,128}$/.test(sessionId)) {
    throw new Error('sessionId must be the Agntix session id of the call (letters, digits, - and _)');
  }
}

/** No time in the past, none outside calling hours unless forced, and only while the follow-up waits for its slot. */
export function validateReschedule(state: FollowUpState, at: string, force: boolean | undefined, rules: CallingRules) {
  mustBeScheduled(state);
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) throw new Error(`"${at}" is not an ISO 8601 time`);
  if (when.getTime() <= Date.now()) throw new Error(`${when.toISOString()} is in the past`);
  if (!force && !insideCallingHours(when, rules)) {
    throw new Error(`${when.toISOString()} is outside calling hours in ${rules.timeZone}; pass force`);
  }
}
