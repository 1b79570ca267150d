import type { Client } from '@temporalio/client';
import {
  followUpStatusQuery,
  followUpWorkflowId,
  statusQuery,
  type FollowUpStatus,
  type SessionResult,
  type SessionStatus,
} from '../../contracts';

export interface DemoOptions {
  sandboxUrl: string;
  client: Client;
  /** The Temporal Web UI, for the links printed at the end. */
  uiUrl: string;
  namespace: string;
  say: (line: string) => void;
  /** Bound on each wait, so a broken stack fails with a message instead of hanging. */
  timeoutMs?: number;
}

export interface DemoResult {
  sessionId: string;
  followUpId: string;
  callSessionId: string;
  links: { session: string; followUp: string; callSession: string };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`the demo gave up waiting for ${what} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function post(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Plays one outbound call through the running stack: the sandbox sends its signed session.created, then its
 * session.ended with a callback request; the session workflow records the outcome and schedules the follow-up,
 * which dials the sandbox, whose call sends its own webhooks. Prints each step and the Web UI links.
 */
export async function playDemo(options: DemoOptions): Promise<DemoResult> {
  const { client, say } = options;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const link = (id: string) => `${options.uiUrl}/namespaces/${options.namespace}/workflows/${encodeURIComponent(id)}`;

  const started = await post(`${options.sandboxUrl}/sandbox/sessions`);
  const sessionId = String(started.sessionId);
  say(`1. The sandbox sent a signed session.created for call ${sessionId}: ${JSON.stringify(started.delivery)}`);

  const session = client.workflow.getHandle(sessionId);
  const awaiting = await until('the session workflow', timeoutMs, async () => {
    const status: SessionStatus = await session.query(statusQuery);
    return status.phase === 'awaiting-end' ? status : undefined;
  });
  say(`2. Session workflow ${sessionId} is ${awaiting.phase}; the task is marked in flight in the outcome store.`);

  await new Promise((r) => setTimeout(r, 2000)); // the call goes on for a moment
  const ended = await post(`${options.sandboxUrl}/sandbox/sessions/${sessionId}/end`);
  say(
    `3. The sandbox sent session.ended (the customer asked to be called back today): ${JSON.stringify(ended.delivery)}`,
  );

  const result = (await session.result()) as SessionResult;
  say(
    `4. Post-call work done: outcome ${result.outcome ?? '?'}, transcript of ${result.transcript?.messages ?? 0} ` +
      `messages over ${result.transcript?.pages ?? 0} pages archived at ${result.transcript?.ref ?? '?'}; ` +
      `phase ${result.phase}.`,
  );
  const followUpId = result.followUp?.followUpId ?? followUpWorkflowId(sessionId, 1);
  say(`5. Follow-up ${followUpId} scheduled for ${result.followUp?.scheduledAt ?? '?'}; waiting for its slot...`);

  const followUp = client.workflow.getHandle(followUpId);
  const placed = (await followUp.result()) as FollowUpStatus;
  if (placed.state !== 'placed' || !placed.callSessionId) {
    throw new Error(`the follow-up ended ${placed.state}: ${placed.reason ?? 'no reason given'}`);
  }
  say(`6. The follow-up call was placed through calls/start: call session ${placed.callSessionId}.`);

  const callResult = (await client.workflow.getHandle(placed.callSessionId).result()) as SessionResult;
  say(
    `7. The follow-up call's own webhooks arrived and it ended: outcome ${callResult.outcome ?? '?'}; the chain ends.`,
  );

  const final: FollowUpStatus = await followUp.query(followUpStatusQuery);
  const links = { session: link(sessionId), followUp: link(followUpId), callSession: link(placed.callSessionId) };
  say('');
  say('Open in the Temporal Web UI:');
  say(`  session     ${links.session}`);
  say(`  follow-up   ${links.followUp}   (${final.state})`);
  say(`  call        ${links.callSession}`);
  return { sessionId, followUpId, callSessionId: placed.callSessionId, links };
}
