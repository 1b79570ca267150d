import { indexedOutcome } from '../../../src/contracts/searchIndex';
import { SessionDetail } from '../../../src/activities/agntix/client';
import { SessionCreated, SessionEnded } from '../../../src/contracts/agntixEvents';
import { confirmsDial, decideFollowUp } from '../../../src/workflows/followUp/decisions';
import { endDeadlineMs, followUpDue, isClosed, outcomeLabel } from '../../../src/workflows/session/decisions';
import { buildOutcome } from '../../../src/workflows/session/outcome';
import { shareWith } from '../../../src/workflows/sharing';
import { testPolicy as policy } from '../../helpers/policy';
import {
  MAX_KEYWORD_BYTES,
  boundedSessionSearchAttributes,
  chainOf,
  correlationOf,
  sessionSearchAttributes,
  sessionSummary,
} from '../../../src/contracts';
import { example } from '../../../src/dev/examples';

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
    [
      'a voice call whose variables carry ttl=1e9: the 2-hour bound',
      { ...created, metadata: { ...created.metadata, sessionVariables: { ttl: 1e9 } } },
      (2 * 60 * 60 + policy.endGraceSeconds) * 1000,
    ],
  ])('waits for the end of %s', (_label, event, expected) => {
    expect(endDeadlineMs(event, policy)).toBe(expected);
  });

  it('reads a ttl above the configured bound as the bound', () => {
    const event = { ...created, metadata: { ...created.metadata, sessionVariables: { ttl: '86400' } } };
    expect(endDeadlineMs(event, { ...policy, maxTtlSeconds: 900 })).toBe((900 + policy.endGraceSeconds) * 1000);
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

  it('builds an outcome with correlation ids, whose phone number no system is sent in full by default', () => {
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
    for (const system of ['sqlite', 'outcome-webhook']) {
      expect(JSON.stringify(shareWith(system, outcome, policy.sharing!))).not.toContain('+447700900412');
    }
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

describe('which session confirms a dial', () => {
  const dialled = { agentId: 'agent-1', customerPhoneNumber: '+447700900412' };
  const ours = { attemptId: 'a', sessionId: 's', type: 'VOICE', direction: 'OUTBOUND', ...dialled };
  it.each([
    ['the outbound voice call to the number, by the agent', ours, true],
    ['the same number written with spaces', { ...ours, customerPhoneNumber: '+44 7700 900412' }, true],
    ['a chat', { ...ours, type: 'CHAT' }, false],
    ['an inbound call', { ...ours, direction: 'INBOUND' }, false],
    ['another number', { ...ours, customerPhoneNumber: '+447700900413' }, false],
    ['another agent', { ...ours, agentId: 'agent-2' }, false],
    ['a session that does not say what it is (sent before the check)', { attemptId: 'a', sessionId: 's' }, false],
  ])('%s: %p', (_label, confirmation, expected) => {
    expect(confirmsDial(confirmation, dialled)).toBe(expected);
  });
});

describe('what operators see of a session (one home for each fact)', () => {
  const withVariables = <T extends { metadata: { sessionVariables: Record<string, unknown> } }>(
    event: T,
    sessionVariables: Record<string, unknown>,
  ): T => ({ ...event, metadata: { ...event.metadata, sessionVariables } });

  it('reads correlation ids from the latest event: ended, then created, then the placed call', () => {
    const placedCall = {
      agentId: 'a',
      ttlSeconds: 30,
      customerPhoneNumber: '+447700900000',
      sessionVariables: { taskId: 'placed' },
    };
    const olderCreated = withVariables(created, { taskId: 'created', attempt: 2, ok: true, nested: { no: 1 } });
    const newerEnded = withVariables(ended, { taskId: 'ended' });
    expect(correlationOf({ created: olderCreated, ended: newerEnded, placedCall })).toEqual({ taskId: 'ended' });
    expect(correlationOf({ created: olderCreated, placedCall })).toEqual({
      taskId: 'created',
      attempt: '2',
      ok: 'true',
    });
    expect(correlationOf({ placedCall })).toEqual({ taskId: 'placed' });
    expect(correlationOf({})).toEqual({});
  });

  it('gives a session and the call a follow-up placed the same search attributes, never a phone number', () => {
    const root = '0b6f9a52-3c1d-4e8f-9a7b-2d4c6e8f0a1b';
    const variables = { crmContactId: 'CRM-1', followUpOf: root, followUpAttempt: '2' };
    const fromWebhook = sessionSearchAttributes({ created: withVariables(created, variables) }, 'awaiting-end');
    const fromPlacedCall = sessionSearchAttributes(
      {
        placedCall: {
          agentId: created.agentId!,
          ttlSeconds: 30,
          customerPhoneNumber: '+447700900000',
          sessionVariables: variables,
        },
      },
      'awaiting-end',
    );
    const byName = (pairs: typeof fromWebhook) => Object.fromEntries(pairs.map((p) => [p.key.name, p.value]));
    expect(byName(fromPlacedCall)).toEqual(byName(fromWebhook));
    expect(byName(fromWebhook)).toEqual({
      AgntixPhase: 'awaiting-end',
      AgntixSessionType: 'VOICE',
      AgntixDirection: 'OUTBOUND',
      AgntixAgentId: created.agentId,
      AgntixFollowUpOf: root,
      AgntixFollowUpAttempt: 2,
      AgntixCrmContactId: 'CRM-1',
    });
    expect(JSON.stringify(fromWebhook)).not.toContain('+44');
  });

  it.each([
    ['3,000 characters', 'C'.repeat(3000)],
    ['one byte over, in ASCII', 'C'.repeat(MAX_KEYWORD_BYTES + 1)],
    ['under the limit in characters, over it in UTF-8 bytes', 'é'.repeat(MAX_KEYWORD_BYTES / 2 + 1)],
  ])('leaves out a crmContactId of %s and names it, keeping the rest', (_label, crmContactId) => {
    const facts = { created: withVariables(created, { crmContactId }) };
    const { pairs, omitted } = boundedSessionSearchAttributes(facts, 'awaiting-end');
    expect(omitted).toEqual(['AgntixCrmContactId']);
    expect(pairs.map((p) => p.key.name)).toEqual([
      'AgntixPhase',
      'AgntixSessionType',
      'AgntixDirection',
      'AgntixAgentId',
    ]);
    expect(sessionSummary(facts).length).toBeLessThan(120);
  });

  it('keeps a crmContactId at the longest the default id pattern allows', () => {
    const crmContactId = 'C'.repeat(64);
    const { omitted } = boundedSessionSearchAttributes({ created: withVariables(created, { crmContactId }) }, 'done');
    expect(omitted).toEqual([]);
  });

  it.each([
    ['1e300', { followUpOf: 'root', followUpAttempt: 1e300 }],
    ['attempt 101', { followUpOf: 'root', followUpAttempt: '101' }],
    ['attempt 0', { followUpOf: 'root', followUpAttempt: 0 }],
    ['attempt 1.5', { followUpOf: 'root', followUpAttempt: 1.5 }],
    ['a root that is no session id', { followUpOf: 'a b', followUpAttempt: 1 }],
    ['a root of 1,500 characters', { followUpOf: 'r'.repeat(1500), followUpAttempt: 1 }],
  ])('reads %s as no follow-up chain', (_label, variables) => {
    expect(chainOf(variables)).toBeUndefined();
  });

  it('reads a chain up to attempt 100 under a prefixed or UUID root', () => {
    expect(chainOf({ followUpOf: 'ses_01H', followUpAttempt: '100' })).toEqual({ root: 'ses_01H', attempt: 100 });
    expect(chainOf({ followUpOf: created.id, followUpAttempt: 1 })).toEqual({ root: created.id, attempt: 1 });
  });
});

describe('the outcome the visibility index holds', () => {
  it.each([
    ['Confirmed', 'Confirmed'],
    ['EXPIRED', 'EXPIRED'],
    ['UNRESOLVED', 'UNRESOLVED'],
    ['Priya Raman (+44 7700 900999)', 'other'],
    ['confirmed', 'other'],
  ])('writes %s as %s', (outcome, expected) => {
    expect(indexedOutcome(outcome)).toBe(expected);
  });
});
