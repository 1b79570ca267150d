import { randomUUID } from 'node:crypto';
import { followUpWorkflowId } from '../../../src/contracts';
import { wasAnswered } from '../../../src/contracts/sessionState';
import type { followUpWorkflow, sessionWorkflow } from '../../../src/workflows';
import { example } from '../../../src/dev/examples';
import { anyHour, testFollowUpPolicy, testPolicy } from '../../helpers/policy';
import { waitFor } from '../../helpers/wait';
import { useWorkflowPeers } from '../../helpers/workflowPeers';
import { sessionEndedWith } from '../../helpers/events';

const API_KEY = 'pk_test_previous_call';
/** Each follow-up's slot comes this long after it is scheduled: time for the platform to catch up in between. */
const SLOT_MS = 5000;

const followUp = testFollowUpPolicy({ rules: anyHour(SLOT_MS) });

describe('before a next attempt, the platform is asked about the last call', () => {
  const peers = useWorkflowPeers({ name: 'last-call', apiKey: API_KEY });

  const worker = (lateEndWindowSeconds = testPolicy.lateEndWindowSeconds) =>
    peers.worker({ policy: { ...testPolicy, lateEndWindowSeconds, sinks: ['sqlite', 'outcome-webhook'], followUp } });
  const followUpHandle = (root: string, attempt: number) =>
    peers.temporal.client.workflow.getHandle<typeof followUpWorkflow>(followUpWorkflowId(root, attempt));
  const sessionHandle = (sessionId: string) =>
    peers.temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId);

  /**
   * A customer asks for a callback; the first follow-up's call is placed, no webhook of it comes, and its session
   * expires (the API said OPEN at every check), which schedules the second attempt. Then the platform catches up:
   * the API now shows the call as `later` says. Resolves with the root session and the first call's session.
   */
  async function callExpiresThenPlatformSays(later: { callbackRequested: boolean }) {
    const root = randomUUID();
    const ended = sessionEndedWith(root, { callbackRequested: true, callOutcome: 'Unavailable' });
    await peers.deliver(ended);
    await sessionHandle(root).result(); // the first follow-up has started by then
    const first = await followUpHandle(root, 1).result();
    expect(first.state).toBe('placed');
    const callSessionId = first.callSessionId!;
    const expired = await sessionHandle(callSessionId).result();
    expect(expired).toMatchObject({ phase: 'follow-up-scheduled', outcome: 'EXPIRED' });
    expect(expired.followUp?.followUpId).toBe(followUpWorkflowId(root, 2));
    // The call was answered after all: its analysis reaches the API (its webhooks are late, or lost).
    const detail = { ...example('session-detail.json'), id: callSessionId, state: 'CLOSED' } as {
      analysis: { extractedData: Record<string, unknown> };
    };
    detail.analysis.extractedData = { ...later, callOutcome: later.callbackRequested ? 'Busy' : 'Confirmed' };
    peers.agntix.sessions.set(callSessionId, { detail });
    return { root, callSessionId };
  }

  it('a call the API shows answered is not followed by another attempt: the customer is not called again', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const { root, callSessionId } = await callExpiresThenPlatformSays({ callbackRequested: false });
      const second = await followUpHandle(root, 2).result();
      expect(second.state).toBe('cancelled');
      expect(second.reason).toContain(`the last call (session ${callSessionId}) was answered`);
      expect(peers.agntix.placed()).toHaveLength(1); // one call in all: the answered one
      expect(peers.agntix.requests).toContain(`GET /api/v1/chat/sessions/${callSessionId}`);
      await waitFor(
        () => [...peers.receiver.recorded.values()].some((r) => r.type === 'follow-up.cancelled'),
        'the cancelled follow-up at the receiver',
      );
      const row = peers.sqlite.db.prepare('SELECT chain_state FROM sessions WHERE session_id = ?').get(root);
      expect(row).toEqual({ chain_state: 'cancelled' });
    });
  });

  it('late webhooks of a follow-up call within the window: the outcome replaces the expiry, nobody is called again', async () => {
    const w = await worker(60);
    await w.runUntil(async () => {
      const root = randomUUID();
      const ended = sessionEndedWith(root, { callbackRequested: true, callOutcome: 'Unavailable' });
      await peers.deliver(ended);
      await sessionHandle(root).result();
      const callSessionId = (await followUpHandle(root, 1).result()).callSessionId!;
      const kindOf = () =>
        (
          peers.sqlite.db.prepare('SELECT kind FROM sessions WHERE session_id = ?').get(callSessionId) as {
            kind?: string;
          }
        )?.kind;
      await waitFor(() => kindOf() === 'expired', 'the call to expire', 20_000);

      // The platform catches up: the API shows the call answered, and its webhook comes, echoing the chain.
      const late = sessionEndedWith(callSessionId, { callbackRequested: false, callOutcome: 'Confirmed' });
      late.metadata.sessionVariables = { followUpOf: root, followUpAttempt: '1' };
      peers.agntix.sessions.set(callSessionId, { detail: { ...late, state: 'CLOSED' } });
      expect((await peers.deliver(late)).body.status).toBe('signaled');

      const call = await sessionHandle(callSessionId).result();
      expect(call).toMatchObject({
        outcome: 'Confirmed',
        supersedes: `${callSessionId}:expired`,
        followUp: { followUpId: followUpWorkflowId(root, 2) }, // the one the expiry scheduled, not another
      });
      expect(kindOf()).toBe('completed');
      const second = await followUpHandle(root, 2).result();
      expect(second.state).toBe('cancelled');
      expect(peers.agntix.placed()).toHaveLength(1);
    });
  });

  it('a call the API shows answered with a new callback request is followed by the attempt already scheduled', async () => {
    const w = await worker();
    await w.runUntil(async () => {
      const { root } = await callExpiresThenPlatformSays({ callbackRequested: true });
      await waitFor(() => peers.agntix.placed().length === 2, 'the second call', 20_000);
      expect(peers.agntix.calls.map((c) => c.body.session_variables.followUpAttempt)).toEqual(['1', '2']);
      await followUpHandle(root, 3)
        .terminate('test over')
        .catch(() => undefined);
    });
  });
});

describe('what the API must show for a call to count as answered', () => {
  const analysis = { summary: 'Customer confirmed the delivery.', extractedData: { callOutcome: 'Confirmed' } };
  it.each([
    ['closed with an analysis', { state: 'CLOSED', analysis }, true],
    ['closed with only extracted data', { state: 'CLOSED', analysis: { extractedData: { callOutcome: 'x' } } }, true],
    ['closed with a call that lasted (the gateway shape)', { state: 'CLOSED', callDurationInSeconds: 42 }, true],
    ['closed with an empty analysis', { state: 'CLOSED', analysis: { extractedData: {} } }, false],
    ['closed with no analysis', { state: 'CLOSED', analysis: null }, false],
    ['expired, even with an analysis', { state: 'EXPIRED', analysis }, false],
    ['still open', { state: 'OPEN', analysis }, false],
  ])('%s', (_, detail, answered) => {
    expect(wasAnswered(detail)).toBe(answered);
  });
});
