import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { loadOperatorConfig } from '../../src/bin/operatorConfig';
import { dataConverterFor } from '../../src/temporal/dataConverter';
import type { SessionResult } from '../../src/contracts';
import { newSecret } from '../../src/dev/signing';
import { example } from '../../src/dev/examples';
import { SANDBOX_HUBSPOT_TOKEN } from '../../src/dev/sandbox/fakeHubspot';
import { devStackEnv, startHelpdesk, startStack } from '../helpers/devStack';
import { runDocumented, type Ran } from '../helpers/documentedCommands';
import { testAddress } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

/*
 * The commands the docs give operators, run as written (test/docs/documentedCommands.test.ts holds the list) against a
 * stack started by the authoring guide's `npm start` (test/helpers/devStack.ts).
 */
const NEW_SECRET = newSecret();
const OLD_SECRET = newSecret();
let stack: Awaited<ReturnType<typeof startStack>>;
let helpdesk: Awaited<ReturnType<typeof startHelpdesk>>;
let env: NodeJS.ProcessEnv;
let connection: Connection;
let client: Client;
const port = () => env.PORT!;
const sandboxPort = () => env.SANDBOX_PORT!;

const runAsWritten = (command: string, fill: Record<string, string> = {}): Promise<Ran> =>
  runDocumented(command, fill, env);

beforeAll(async () => {
  env = await devStackEnv({
    // Mid-rotation (README, Connect Agntix): the new secret and the old one, both accepted.
    AGNTIX_WEBHOOK_SECRET: `${NEW_SECRET} ${OLD_SECRET}`,
    // Room to run the commands before a follow-up's slot comes.
    FOLLOWUP_MIN_DELAY_MINUTES: '0.5',
    FOLLOWUP_DEFAULT_DELAY_MINUTES: '0.5',
  });
  helpdesk = await startHelpdesk();
  // The authoring guide's start, its helpdesk a local stand-in: the complaint example's escalation must reach it.
  stack = await startStack('ESCALATION_QUEUE_URL=https://helpdesk.example/api/tickets npm start', env, {
    'https://helpdesk.example/api/tickets': helpdesk.url,
  });
  connection = await Connection.connect({ address: testAddress() });
  client = new Client({ connection, dataConverter: dataConverterFor(loadOperatorConfig(env)) });
}, 120_000);

afterAll(async () => {
  stack?.stop();
  helpdesk?.server.close();
  await connection?.close();
});

const sandbox = async (route: string) =>
  (await (await fetch(`http://127.0.0.1:${sandboxPort()}${route}`, { method: 'POST' })).json()) as {
    sessionId: string;
    followUpId?: string;
  };

/** A session that asked for a callback, ended: its first follow-up is scheduled. */
async function scheduledFollowUp(): Promise<{ sessionId: string; id: string }> {
  const { sessionId } = await sandbox('/sandbox/sessions');
  await sandbox(`/sandbox/sessions/${sessionId}/end`);
  await client.workflow.getHandle(sessionId).result();
  return { sessionId, id: `followup-${sessionId}-1` };
}

/** The next `weekday` (0 Sunday … 6 Saturday) at least a day away, at `hhmm` UTC: inside or outside calling hours. */
function next(weekday: number, hhmm: string): string {
  const day = new Date(Date.now() + 86_400_000);
  while (day.getUTCDay() !== weekday) day.setUTCDate(day.getUTCDate() + 1);
  return `${day.toISOString().slice(0, 10)}T${hhmm}:00Z`;
}

const stateOf = async (id: string) =>
  (await client.workflow.getHandle(id).describe()).searchAttributes.AgntixFollowUpState?.[0];

test('the follow-up commands of the README and the runbook work as written', async () => {
  const practices = await Promise.all(
    [1, 2, 3].map(async () => {
      const made = await runAsWritten('curl -X POST http://localhost:3100/sandbox/scenarios/needs-operator', {
        'localhost:3100': `127.0.0.1:${sandboxPort()}`,
      });
      expect(made.code).toBe(0);
      return (JSON.parse(/\{.*\}/s.exec(made.text)![0]) as { followUpId: string }).followUpId;
    }),
  );
  type Scheduled = Awaited<ReturnType<typeof scheduledFollowUp>>;
  const [a, b, c, d] = (await Promise.all([1, 2, 3, 4].map(() => scheduledFollowUp()))) as [
    Scheduled,
    Scheduled,
    Scheduled,
    Scheduled,
  ];
  const weekday = next(4, '14:30');

  const moved = await runAsWritten(
    'npm run followup -- reschedule followup-<session>-1 2026-12-10T14:30:00Z [--force]',
    {
      'followup-<session>-1': a.id,
      '2026-12-10T14:30:00Z': weekday,
      '[--force]': '--force',
    },
  );
  expect(moved).toMatchObject({ code: 0 });
  expect(moved.text).toContain(`${a.id}  scheduled  attempt 1  at ${weekday.replace('Z', '.000Z')}`);
  const inside = next(3, '14:30');
  const insideHours = await runAsWritten(
    'npm run followup -- reschedule followup-<session>-1 2026-12-10T14:30:00Z          # inside calling hours',
    { 'followup-<session>-1': a.id, '2026-12-10T14:30:00Z': inside },
  );
  expect(insideHours).toMatchObject({ code: 0 });
  const saturday = next(6, '10:00');
  const onPurpose = await runAsWritten(
    'npm run followup -- reschedule followup-<session>-1 2026-12-12T10:00:00Z --force  # a Saturday, on purpose',
    { 'followup-<session>-1': a.id, '2026-12-12T10:00:00Z': saturday },
  );
  expect(onPurpose).toMatchObject({ code: 0 });
  const viaCli = await runAsWritten(
    `npm run temporal -- workflow update execute --workflow-id followup-<session>-1 --name reschedule --input '{"at":"2026-12-10T14:30:00Z"}'`,
    { 'followup-<session>-1': a.id, '2026-12-10T14:30:00Z': weekday },
  );
  expect(viaCli).toMatchObject({ code: 0 });

  const listed = await runAsWritten('npm run followup -- list                       # scheduled follow-ups');
  expect(listed.code).toBe(0);
  expect(listed.text).toContain(a.id);
  const status = await runAsWritten(
    'npm run temporal -- workflow query --workflow-id followup-<session>-1 --type status',
    {
      'followup-<session>-1': a.id,
    },
  );
  expect(status.code).toBe(0);
  expect(status.text).not.toContain('binary/encrypted');
  expect(status.text).toContain(`"scheduledAt":"${weekday.replace('Z', '.000Z')}","state":"scheduled"`);

  const cancelled = await runAsWritten('npm run followup -- cancel followup-<session>-1 customer emailed instead', {
    'followup-<session>-1': a.id,
  });
  expect(cancelled).toMatchObject({ code: 0 });
  expect(cancelled.text).toContain('cancelled  attempt 1');
  const again = await runAsWritten('npm run followup -- cancel followup-<session>-1 [reason]', {
    'followup-<session>-1': a.id,
  });
  expect(again.code).toBe(1);
  expect(again.text).toContain('refused: ');
  const byEmail = await runAsWritten('npm run followup -- cancel followup-<session>-1 customer asked by email', {
    'followup-<session>-1': b.id,
  });
  expect(byEmail).toMatchObject({ code: 0 });
  const updated = await runAsWritten(
    `npm run temporal -- workflow update execute --workflow-id followup-<session>-1 --name cancel --input '{"reason":"emailed"}'`,
    { 'followup-<session>-1': c.id },
  );
  expect(updated).toMatchObject({ code: 0 });
  const inTemporal = await runAsWritten('npm run temporal -- workflow cancel --workflow-id followup-<session>-1', {
    'followup-<session>-1': d.id,
  });
  expect(inTemporal).toMatchObject({ code: 0 });
  for (const { id } of [a, b, c, d]) await waitFor(async () => (await stateOf(id)) === 'cancelled', `${id} cancelled`);

  // Where the customer stands, on the session's own row, after its workflow has closed.
  const store = new Database(path.join(env.DATA_DIR!, 'outcomes.sqlite'), { readonly: true });
  const row = () =>
    store
      .prepare('SELECT chain_state, chain_attempt, chain_reason FROM sessions WHERE session_id = ?')
      .get(a.sessionId);
  await waitFor(() => (row() as { chain_state?: string } | undefined)?.chain_state === 'cancelled', 'the row to tell');
  expect(row()).toEqual({
    chain_state: 'cancelled',
    chain_attempt: 1,
    chain_reason: 'cancelled: customer emailed instead',
  });
  store.close();

  // A reset re-runs the follow-up from the chosen event; the dial ledger keeps it from calling twice.
  const firstTask = await firstWorkflowTaskCompleted(a.id);
  const reset = await runAsWritten(
    'npm run temporal -- workflow reset --workflow-id followup-<session>-1 --event-id <n> --reason "<why>"',
    { 'followup-<session>-1': a.id, '<n>': String(firstTask), '<why>': 'practice' },
  );
  expect(reset).toMatchObject({ code: 0 });
  const lastTask = await runAsWritten(
    'npm run temporal -- workflow reset --workflow-id followup-<session>-1 --type LastWorkflowTask --reason "<why>"',
    { 'followup-<session>-1': b.id, '<why>': 'practice' },
  );
  expect(lastTask).toMatchObject({ code: 0 });

  await waitFor(
    async () => (await Promise.all(practices.map(stateOf))).every((s) => s === 'needs-operator'),
    'the practice follow-ups to need an operator',
    120_000,
  );
  const [p1, p2, p3] = practices as [string, string, string];
  const waiting = await runAsWritten('npm run followup -- list --needs-operator   # about 40 s later');
  expect(waiting.code).toBe(0);
  expect(waiting.text).toContain(`${p1}  RUNNING`);
  const refused = await runAsWritten(
    'npm run followup -- reschedule followup-<session>-1 2026-12-10T14:30:00Z [--force]',
    {
      'followup-<session>-1': p1,
      '2026-12-10T14:30:00Z': weekday,
      '[--force]': '--force',
    },
  );
  expect(refused.code).toBe(1);
  const dialled = await runAsWritten('npm run followup -- dial-again followup-<session>-1 [reason]', {
    'followup-<session>-1': p1,
    '[reason]': 'no call in the log',
  });
  expect(dialled).toMatchObject({ code: 0 });
  expect(dialled.text).toContain(`${p1}  dialling`);
  const marked = await runAsWritten('npm run followup -- mark-placed followup-<session>-1 <call session id> [note]', {
    'followup-<session>-1': p2,
    '<call session id>': `call-${Date.now()}`,
    '[note]': 'in the dashboard',
  });
  expect(marked).toMatchObject({ code: 0 });
  const markedInCli = await runAsWritten(
    `npm run temporal -- workflow update execute --workflow-id followup-<session>-1 --name markPlaced --input '{"sessionId":"<call session id>"}'`,
    { 'followup-<session>-1': p3, '<call session id>': `call-${Date.now()}` },
  );
  expect(markedInCli).toMatchObject({ code: 0 });
}, 420_000);

async function firstWorkflowTaskCompleted(workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const event = history.events!.find((e) => e.workflowTaskCompletedEventAttributes);
  return Number(event!.eventId);
}

test("the README's example sends end green, signed with either secret of a rotation", async () => {
  const complaint = 'examples/agntix/session-ended.unresolved-complaint.json';
  const chat = 'examples/agntix/session-ended.chat-no-analysis.json';
  const sent = await runAsWritten('npm run demo -- send examples/agntix/session-ended.unresolved-complaint.json');
  expect(sent).toMatchObject({ code: 0 });
  expect(sent.text).toMatch(/^200 /m);
  const old = await runAsWritten(
    'npm run demo -- send examples/agntix/session-ended.chat-no-analysis.json [--url URL] [--secret whsec_...]',
    { '[--secret whsec_...]': `--secret ${OLD_SECRET}` },
  );
  expect(old).toMatchObject({ code: 0 });
  const stranger = await runAsWritten(
    'npm run demo -- send examples/agntix/session-ended.chat-no-analysis.json [--url URL] [--secret whsec_...]',
    { '[--secret whsec_...]': `--secret ${newSecret()}` },
  );
  expect(stranger.code).toBe(1);
  expect(stranger.text).toMatch(/^401 /m);
  const toHost = await runAsWritten(
    'npm run demo -- send examples/agntix/session-ended.chat-no-analysis.json --url https://<your host>/webhooks/agntix --secret whsec_...',
    { 'https://<your host>': `http://127.0.0.1:${port()}`, 'whsec_...': NEW_SECRET },
  );
  expect(toHost).toMatchObject({ code: 0 });
  const saved = path.join(mkdtempSync(path.join(tmpdir(), 'dead-letter-')), 'dead-letter.json');
  writeFileSync(saved, JSON.stringify(example('session-created.voice-outbound.json')));
  const deadLetter = await runAsWritten(
    'npm run demo -- send dead-letter.json --url https://your-host/webhooks/agntix --secret whsec_...',
    { 'dead-letter.json': saved, 'https://your-host': `http://127.0.0.1:${port()}`, 'whsec_...': NEW_SECRET },
  );
  expect(deadLetter).toMatchObject({ code: 0 });
  const anyExample = await runAsWritten('npm run demo -- send examples/agntix/<file>', {
    '<file>': 'session-ended.voice-callback-requested.json',
  });
  expect(anyExample).toMatchObject({ code: 0 });

  for (const file of [complaint, chat]) {
    const { id } = example<{ id: string }>(path.basename(file));
    const result = (await client.workflow.getHandle(id).result()) as SessionResult;
    expect(result.failures).toEqual([]);
  }
  const { id } = example<{ id: string }>(path.basename(complaint));
  expect(await client.workflow.getHandle(`escalationWorkflow-${id}`).result()).toMatchObject({ ticketId: 'HD-1' });
  expect([...helpdesk.tickets.values()]).toMatchObject([{ ticketId: 'HD-1', body: { sessionId: id } }]);

  const { id: chatId } = example<{ id: string }>(path.basename(chat));
  const status = await runAsWritten(
    'npm run temporal -- workflow query --workflow-id <session id> --type status   # decoded JSON, not binary/encrypted',
    { '<session id>': chatId },
  );
  expect(status.code).toBe(0);
  expect(status.text).toContain(`"sessionId":"${chatId}"`);
  const listed = await runAsWritten(`npm run temporal -- workflow list --query "AgntixCrmContactId = 'CRM-40215'"`);
  expect(listed).toMatchObject({ code: 0 });
  const quoted = await runAsWritten(`npm run temporal -- workflow list --query 'AgntixCrmContactId = "CRM-40215"'`);
  expect(quoted).toMatchObject({ code: 0 });
  const n = String(await firstWorkflowTaskCompleted(chatId));
  const hubspotFixed = await runAsWritten(
    'npm run temporal -- workflow reset --workflow-id <session> --event-id <n> --reason "hubspot scope fixed"',
    { '<session>': chatId, '<n>': n },
  );
  expect(hubspotFixed).toMatchObject({ code: 0 });
  const anyReason = await runAsWritten(
    'npm run temporal -- workflow reset --workflow-id <id> --event-id <n> --reason ...',
    {
      '<id>': chatId,
      '<n>': n,
    },
  );
  expect(anyReason).toMatchObject({ code: 0 });
}, 180_000);

test('the setup commands and erasure run as written', async () => {
  expect(await runAsWritten('npm run temporal:setup')).toMatchObject({ code: 0 });
  const hubspot = await runDocumented(
    'HUBSPOT_ACCESS_TOKEN=pat-... npm run hubspot:setup',
    { 'pat-...': SANDBOX_HUBSPOT_TOKEN },
    { ...env, HUBSPOT_BASE_URL: `http://127.0.0.1:${env.HUBSPOT_SANDBOX_PORT}` },
  );
  expect(hubspot).toMatchObject({ code: 0 });

  const { id } = example<{ id: string }>('session-ended.chat-no-analysis.json');
  const forgotten = await runAsWritten('npm run forget -- --session <session id>', { '<session id>': id });
  expect(forgotten).toMatchObject({ code: 0 });
  const byContact = await runAsWritten('npm run forget -- --crm-contact <contact id>', { '<contact id>': 'CRM-40215' });
  expect(byContact).toMatchObject({ code: 0 });
}, 300_000);
