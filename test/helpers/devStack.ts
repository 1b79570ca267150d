import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDocumented } from './documentedCommands';
import { freePort } from './freePort';
import { testAddress, uniqueTaskQueue } from './temporal';
import { waitFor } from './wait';

/*
 * The stack `npm start` runs, started by the documented command itself on the suite's Temporal server, sharing
 * nothing with the test but its DATA_DIR: the development payload key must be found there, as on a fresh clone.
 */

const PORTS = ['PORT', 'SANDBOX_PORT', 'HUBSPOT_SANDBOX_PORT', 'CODEC_SERVER_PORT', 'WORKER_METRICS_PORT'] as const;

/** A stack's settings: free ports, its own task queue and data folder, and none of the suite's keys or secrets. */
export async function devStackEnv(settings: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const ports = await Promise.all(PORTS.map(() => freePort()));
  const inherited = { ...process.env };
  delete inherited.PAYLOAD_ENCRYPTION_KEYS;
  delete inherited.AGNTIX_WEBHOOK_SECRET;
  return {
    ...inherited,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'operator-')),
    ...Object.fromEntries(PORTS.map((name, i) => [name, String(ports[i])])),
    TEMPORAL_ADDRESS: testAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('operator'),
    ...settings,
  };
}

/** Starts a stack by a documented command, as written, and waits until it says it is up. */
export async function startStack(command: string, env: NodeJS.ProcessEnv, fill: Record<string, string> = {}) {
  const started = startDocumented(command, fill, env);
  let out = '';
  started.child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('Press Ctrl-C to stop.'), 'the stack to start', 90_000);
  return started;
}

/** A helpdesk as the escalation example expects one (docs/authoring.md): one ticket per idempotency key. */
export async function startHelpdesk() {
  const tickets = new Map<string, { ticketId: string; body: unknown }>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? tickets.size);
      if (!tickets.has(key)) tickets.set(key, { ticketId: `HD-${tickets.size + 1}`, body: JSON.parse(body) });
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ticketId: tickets.get(key)!.ticketId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, tickets, url: `http://127.0.0.1:${port}/api/tickets` };
}
