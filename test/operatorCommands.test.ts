import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadOperatorConfig } from '../src/bin/operatorConfig';
import { dataConverterFor } from '../src/temporal/dataConverter';
import type { SessionResult } from '../src/contracts';
import { newSecret } from '../src/dev/signing';
import { example } from '../src/dev/examples';
import { freePort } from './helpers/freePort';
import { testAddress, uniqueTaskQueue } from './helpers/temporal';
import { waitFor } from './helpers/wait';

/*
 * The operator's documented commands (docs/operations.md), run as written through their npm scripts against a stack
 * started the way `npm start` starts it (src/dev/start.ts, here on the suite's Temporal server), with nothing shared
 * but its DATA_DIR: the development payload key must be found there, as on a fresh clone.
 */
const ROOT = path.resolve(__dirname, '..');
const NEW_SECRET = newSecret();
const OLD_SECRET = newSecret();
let stack: ChildProcess;
let env: NodeJS.ProcessEnv;
let sandboxUrl: string;
let connection: Connection;
let client: Client;

function run(...args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', ...args], { cwd: ROOT, env });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', (code) => resolve({ code, text }));
  });
}

beforeAll(async () => {
  const [port, sandboxPort, hubspotPort, codecPort, metricsPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const inherited = { ...process.env };
  delete inherited.PAYLOAD_ENCRYPTION_KEYS;
  delete inherited.AGNTIX_WEBHOOK_SECRET;
  env = {
    ...inherited,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'operator-')),
    PORT: String(port),
    SANDBOX_PORT: String(sandboxPort),
    HUBSPOT_SANDBOX_PORT: String(hubspotPort),
    CODEC_SERVER_PORT: String(codecPort),
    WORKER_METRICS_PORT: String(metricsPort),
    TEMPORAL_ADDRESS: testAddress(),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('operator'),
    // Mid-rotation (README, Connect Agntix): the new secret and the old one, both accepted.
    AGNTIX_WEBHOOK_SECRET: `${NEW_SECRET} ${OLD_SECRET}`,
    // Room to run the commands before a follow-up's slot comes.
    FOLLOWUP_MIN_DELAY_MINUTES: '0.5',
    FOLLOWUP_DEFAULT_DELAY_MINUTES: '0.5',
  };
  sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  stack = spawn(process.execPath, ['node_modules/.bin/ts-node', '--transpile-only', 'src/dev/start.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  stack.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('Press Ctrl-C to stop.'), 'the stack to start', 90_000);
  connection = await Connection.connect({ address: testAddress() });
  client = new Client({ connection, dataConverter: dataConverterFor(loadOperatorConfig(env)) });
}, 120_000);

afterAll(async () => {
  stack?.kill('SIGTERM');
  await connection?.close();
});

const sandbox = async (route: string) =>
  (await (await fetch(`${sandboxUrl}${route}`, { method: 'POST' })).json()) as {
    sessionId: string;
    followUpId?: string;
  };

test('reschedule, query, cancel and the needs-operator runbook work as the docs write them', async () => {
  const practice = await sandbox('/sandbox/scenarios/needs-operator');

  const { sessionId } = await sandbox('/sandbox/sessions');
  await sandbox(`/sandbox/sessions/${sessionId}/end`);
  const id = `followup-${sessionId}-1`;
  await client.workflow.getHandle(sessionId).result();

  const later = new Date(Date.now() + 3_600_000).toISOString();
  const moved = await run('followup', '--', 'reschedule', id, later, '--force');
  expect(moved).toMatchObject({ code: 0 });
  expect(moved.text).toContain(`${id}  scheduled  attempt 1  at ${later}`);

  const status = await run('temporal', '--', 'workflow', 'query', '--workflow-id', id, '--type', 'status');
  expect(status.code).toBe(0);
  expect(status.text).not.toContain('binary/encrypted');
  expect(status.text).toContain(`"scheduledAt":"${later}","state":"scheduled"`);

  const cancelled = await run('followup', '--', 'cancel', id, 'customer', 'emailed');
  expect(cancelled).toMatchObject({ code: 0 });
  expect(cancelled.text).toContain('cancelled  attempt 1');
  const again = await run('followup', '--', 'cancel', id);
  expect(again.code).toBe(1);
  expect(again.text).toContain('refused: ');

  const followUp = practice.followUpId!;
  await waitFor(
    async () =>
      (await client.workflow.getHandle(followUp).describe()).searchAttributes.AgntixFollowUpState?.[0] ===
      'needs-operator',
    'the practice follow-up to need an operator',
    90_000,
  );
  const waiting = await run('followup', '--', 'list', '--needs-operator');
  expect(waiting.code).toBe(0);
  expect(waiting.text).toContain(`${followUp}  RUNNING`);
  const refused = await run('followup', '--', 'reschedule', followUp, later, '--force');
  expect(refused.code).toBe(1);
  const dialled = await run('followup', '--', 'dial-again', followUp, 'no', 'call', 'in', 'the', 'log');
  expect(dialled).toMatchObject({ code: 0 });
  expect(dialled.text).toContain(`${followUp}  dialling`);
}, 240_000);

test("the README's example sends end green, signed with either secret of a rotation", async () => {
  const complaint = 'examples/agntix/session-ended.unresolved-complaint.json';
  const chat = 'examples/agntix/session-ended.chat-no-analysis.json';
  const sent = await run('demo', '--', 'send', complaint);
  expect(sent).toMatchObject({ code: 0 });
  expect(sent.text).toMatch(/^200 /);
  const old = await run('demo', '--', 'send', chat, '--secret', OLD_SECRET);
  expect(old).toMatchObject({ code: 0 });
  const stranger = await run('demo', '--', 'send', chat, '--secret', newSecret());
  expect(stranger.code).toBe(1);
  expect(stranger.text).toMatch(/^401 /);

  for (const file of [complaint, chat]) {
    const { id } = example<{ id: string }>(path.basename(file));
    const result = (await client.workflow.getHandle(id).result()) as SessionResult;
    expect(result.failures).toEqual([]);
  }
  const { id } = example<{ id: string }>(path.basename(complaint));
  expect(await client.workflow.getHandle(`escalationWorkflow-${id}`).result()).toMatchObject({ ticketId: 'T-1' });
}, 120_000);
