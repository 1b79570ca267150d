/*
 * The template for testing your own post-call workflow: copy this file next to it, change the rule's payload and
 * the assertions. It runs the real path: a signed delivery to the real webhook endpoint, the real session worker
 * with your activities and a rule of the test's own (validated as the worker validates a rules file, so editing
 * src/automations/rules.json never breaks it), on the suite's real Temporal dev server.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createAutomationActivities } from '../../src/automations/activities';
import { loadConfig } from '../../src/config';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { escalationWorkflow } from '../../src/automations/workflows/escalation';
import { parseRuleSet } from '../../src/automations/ruleSchema';
import * as workflows from '../../src/workflows';
import type { sessionWorkflow } from '../../src/workflows';
import { startTestApi } from '../helpers/api';
import { saveHistory } from '../helpers/histories';
import { bundleWorkflows, connectTestTemporal, uniqueTaskQueue } from '../helpers/temporal';
import { freshSession } from '../../src/dev/examples';
import { newSecret, post, sign } from '../../src/dev/signing';
import { createTestWorker } from '../helpers/worker';

/** A stand-in for the helpdesk your workflow talks to: a local HTTP server that keeps what it received. */
async function startHumanQueue() {
  const tickets: Array<Record<string, unknown>> = [];
  const app = express();
  app.post('/tickets', express.json(), (req, res) => {
    const key = req.header('idempotency-key');
    const existing = tickets.find((t) => t.key === key);
    if (!existing) tickets.push({ key, ...(req.body as Record<string, unknown>), ticketId: `T-${tickets.length + 1}` });
    res.status(201).json({ ticketId: (existing ?? tickets.at(-1))!.ticketId });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`,
    tickets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const escalationRules = {
  rules: [
    {
      name: 'escalate unresolved complaints',
      when: { resolution: 'UNRESOLVED', sentiment: 'NEGATIVE' },
      then: [{ action: 'startWorkflow', workflow: 'escalationWorkflow' }],
    },
    { name: 'call back when asked', when: {}, then: [{ action: 'scheduleCallback' }] },
  ],
};

test('an unresolved call with negative sentiment opens one high-priority ticket; a resolved one opens none', async () => {
  const temporal = await connectTestTemporal();
  const queue = await startHumanQueue();
  const secret = newSecret();
  const taskQueue = uniqueTaskQueue('escalation');
  const api = await startTestApi(temporal.client, taskQueue, [secret]);
  const worker = await createTestWorker(
    temporal,
    taskQueue,
    await bundleWorkflows(),
    { rules: parseRuleSet(escalationRules, 'escalation.test.ts', Object.keys(workflows)) },
    createAutomationActivities(loadConfig({ ESCALATION_QUEUE_URL: queue.url }), {
      transcripts: createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'transcripts-'))),
      sinks: [],
    }),
  );
  try {
    await worker.runUntil(async () => {
      const deliverEnded = async (analysis: Record<string, unknown>) => {
        const sessionId = randomUUID();
        const event = freshSession('session-ended.voice-callback-requested.json', sessionId) as {
          analysis: Record<string, unknown>;
        };
        event.analysis = { ...event.analysis, ...analysis, extractedData: { callbackRequested: false } };
        expect((await post(`${api.url}/webhooks/agntix`, sign(secret, event))).status).toBe(200);
        return {
          sessionId,
          result: await temporal.client.workflow.getHandle<typeof sessionWorkflow>(sessionId).result(),
        };
      };

      const complaint = await deliverEnded({
        resolution: { classification: 'UNRESOLVED' },
        sentiment: { conversation: { sentiment: 'NEGATIVE', score: -0.8 } },
      });
      const escalationId = `escalationWorkflow-${complaint.sessionId}`;
      expect(complaint.result.rules).toEqual({
        matched: ['escalate unresolved complaints', 'call back when asked'],
        started: [escalationId],
      });
      const escalation = await temporal.client.workflow.getHandle<typeof escalationWorkflow>(escalationId).result();
      expect(escalation).toEqual({ ticketId: 'T-1', priority: 'high' });
      expect(queue.tickets).toHaveLength(1);
      if (process.env.RECORD_HISTORIES) {
        await saveHistory(
          'session-with-post-call-rules',
          await temporal.client.workflow.getHandle(complaint.sessionId).fetchHistory(),
        );
        await saveHistory('escalation', await temporal.client.workflow.getHandle(escalationId).fetchHistory());
      }
      expect(queue.tickets[0]).toMatchObject({
        sessionId: complaint.sessionId,
        resolution: 'UNRESOLVED',
        crmContactId: 'CRM-40215',
      });

      const resolved = await deliverEnded({ resolution: { classification: 'RESOLVED' } });
      expect(resolved.result.rules).toEqual({ matched: ['call back when asked'], started: [] });
      expect(queue.tickets).toHaveLength(1);
    });
  } finally {
    await api.close();
    await queue.close();
    await temporal.close();
  }
});
