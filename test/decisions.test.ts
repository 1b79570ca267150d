import { SessionDetail } from '../src/activities/agntixClient';
import { SessionCreated, SessionEnded } from '../src/events/schemas';
import {
  buildOutcome,
  decideFollowUp,
  endDeadlineMs,
  followUpDue,
  isClosed,
  outcomeLabel,
} from '../src/workflows/decisions';
import { testPolicy as policy } from './helpers/policy';
import { example } from './helpers/webhooks';

const created = SessionCreated.parse(example('session-created.voice-outbound.json'));
const ended = SessionEnded.parse(example('session-ended.voice-callback-requested.json'));
const chat = SessionEnded.parse(example('session-ended.chat-no-analysis.json'));

describe('session decisions', () => {
  it.each([
    [
      'a voice call without a ttl: default ttl + grace',
      created,
      (policy.voiceTtlSeconds + policy.endGraceSeconds) * 1000,
    ],
    [
      'a voice call whose variables carry ttl=30',
      { ...created, metadata: { ...created.metadata, sessionVariables: { ttl: '30' } } },
      (30 + policy.endGraceSeconds) * 1000,
    ],
    ['a chat: the chat timeout', chat, policy.chatTimeoutSeconds * 1000],
  ])('waits for the end of %s', (_label, event, expected) => {
    expect(endDeadlineMs(event, policy)).toBe(expected);
  });

  it.each([
    ['CLOSED', null, true],
    ['EXPIRED', null, true],
    ['OPEN', null, false],
    [undefined, '2026-07-14T09:13:34.662Z', true],
  ])('reads state %s with endedAt %s as closed=%s', (state, endedAt, closed) => {
    expect(isClosed(SessionDetail.parse({ id: 's', state, endedAt }))).toBe(closed);
  });

  it('asks for a follow-up only when the callback field is true', () => {
    expect(followUpDue(ended, policy)).toBe(true);
    expect(followUpDue(chat, policy)).toBe(false);
    expect(followUpDue(ended, { ...policy, callbackField: 'wantsCall' })).toBe(false);
  });

  it('labels the outcome with callOutcome, else the resolution classification', () => {
    expect(outcomeLabel(ended)).toBe('Unavailable');
    const noCallOutcome = SessionEnded.parse({ ...ended, analysis: { ...ended.analysis, extractedData: {} } });
    expect(outcomeLabel(noCallOutcome)).toBe('PARTIALLY_RESOLVED');
    expect(outcomeLabel(chat)).toBeUndefined();
  });

  it('builds an outcome with correlation ids and no phone number', () => {
    const outcome = buildOutcome({
      kind: 'completed',
      sessionId: ended.id,
      source: 'webhook',
      created,
      ended,
      phase: 'post-call',
      policy,
      now: new Date(0),
    });
    expect(outcome).toMatchObject({
      idempotencyKey: `${ended.id}:completed`,
      outcome: 'Unavailable',
      sentiment: 'NEUTRAL',
      intent: 'Customer-Unavailable',
    });
    expect(outcome.correlation).toMatchObject({ crmContactId: 'CRM-40215', campaignId: 'FOLLOWUP-2026-07-14-A' });
    expect(JSON.stringify(outcome)).not.toContain('+447700900412');
  });

  it.each([
    [
      'an original session asking for a callback',
      undefined,
      true,
      false,
      { action: 'schedule', root: 's', attempt: 1 },
    ],
    ['an original session that expired', undefined, false, true, { action: 'none' }],
    ['an original session without a callback', undefined, false, false, { action: 'none' }],
    ['a follow-up asking again', { root: 'r', attempt: 1 }, true, false, { action: 'schedule', root: 'r', attempt: 2 }],
    ['an unanswered follow-up', { root: 'r', attempt: 2 }, false, true, { action: 'schedule', root: 'r', attempt: 3 }],
    [
      'a follow-up answered without a new request',
      { root: 'r', attempt: 1 },
      false,
      false,
      { action: 'end-chain', root: 'r', attempt: 1, reason: 'the callback was satisfied or declined' },
    ],
    [
      'an unanswered follow-up at the limit',
      { root: 'r', attempt: 3 },
      false,
      true,
      { action: 'end-chain', root: 'r', attempt: 3, reason: 'attempt limit of 3 reached' },
    ],
  ])('decides what follows %s', (_label, chain, callbackRequested, expired, expected) => {
    expect(decideFollowUp({ sessionId: 's', chain, callbackRequested, expired, maxAttempts: 3 })).toEqual(expected);
  });
});
