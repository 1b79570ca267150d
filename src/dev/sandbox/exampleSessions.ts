import express from 'express';
import { readdirSync } from 'node:fs';
import { example, examplesDir } from '../examples';
import { scriptedTranscript } from './script';

/**
 * The sessions of the repo's example payloads (examples/agntix), as the platform would serve them after the call:
 * `npm run demo -- send examples/agntix/<file>` then archives a transcript instead of failing on a 404.
 */
export function exampleSessions(): Array<{
  detail: Record<string, unknown>;
  messages: Array<Record<string, unknown>>;
}> {
  return readdirSync(examplesDir)
    .filter((file) => /^session-ended\..*\.json$/.test(file))
    .map((file) => {
      const detail = example(file);
      delete detail.eventType;
      return { detail, messages: scriptedTranscript() };
    });
}

/**
 * A human queue for the escalation example (src/automations), so its workflow has somewhere to open tickets under
 * `npm start`: one ticket per idempotency key, as a helpdesk would.
 */
export function escalationQueue(log: (line: string) => void): express.Router {
  const tickets = new Map<string, string>();
  const router = express.Router();
  router.post('/sandbox/escalations', express.json({ limit: '64kb' }), (req, res) => {
    const key = req.header('idempotency-key') ?? `anonymous-${tickets.size}`;
    let ticketId = tickets.get(key);
    if (!ticketId) {
      ticketId = `T-${tickets.size + 1}`;
      tickets.set(key, ticketId);
      log(
        `sandbox ← escalation: ticket ${ticketId} (${String((req.body as { priority?: unknown }).priority)} priority)`,
      );
    }
    res.status(201).json({ ticketId });
  });
  return router;
}
