import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { playDemo, type DemoResult } from '../../src/dev/sandbox/demo';
import { deliverSigned } from '../../src/dev/signing';
import {
  SANDBOX_API_KEY,
  SANDBOX_PHONE_NUMBER_ID,
  startFakeAgntix,
  type FakeAgntix,
} from '../../src/dev/sandbox/fakeAgntix';
import { sessionEndedEvent } from '../../src/dev/sandbox/script';
import { followUpWorkflowId } from '../../src/contracts';
import { agntixClientsFor } from '../helpers/agntixClients';
import { historyBytes } from '../helpers/histories';
import { startTestApi, type TestApi } from '../helpers/api';
import { anyHour, testPolicy } from '../helpers/policy';
import {
  bundleWorkflows,
  connectTestTemporal,
  testDataConverter,
  uniqueTaskQueue,
  type TestTemporal,
} from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { newSecret } from '../../src/dev/signing';
import { createTestWorker } from '../helpers/worker';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A callback day three weeks from now (YYYY-MM-DD). */
const LATER_DAY = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
/** What the sandbox's call says about its customer (examples/agntix): none of it may be readable in history. */
const CUSTOMER = {
  phone: '+447700900412',
  name: 'Priya Raman',
  summary: 'The customer was driving and asked to be called back later today.',
  evidence: 'Could you ring me back on Thursday morning instead?',
};
const SHOTS = path.resolve(__dirname, '../../test-results');
/** `UPDATE_SCREENSHOTS=1 npm test` refreshes the README's picture. */
const README_SHOT = path.resolve(__dirname, '../../docs/images/webui-sessions.png');

/**
 * The newcomer's and the operator's path, proven in a real browser: the sandbox plays the demo call through the
 * real API and worker, then Debian's chromium opens the dev server's Web UI and finds what an operator looks for.
 */
describe('the demo, seen in the Temporal Web UI', () => {
  const secret = newSecret();
  let temporal: TestTemporal;
  let api: TestApi;
  let sandbox: FakeAgntix;
  let browser: Browser;
  let page: Page;
  let sqlite: ReturnType<typeof createSqliteSink>;
  let demo: DemoResult;
  let scheduledSessionId: string;
  const ui = () => process.env.TEST_TEMPORAL_UI_URL!;
  const log: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    temporal = await connectTestTemporal();
    const taskQueue = uniqueTaskQueue('webui');
    api = await startTestApi(temporal.client, taskQueue, [secret]);
    sandbox = await startFakeAgntix({ webhooks: { url: `${api.url}/webhooks/agntix`, secret }, callSeconds: 1 });
    sqlite = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'webui-')), 'outcomes.sqlite'));
    const worker = await createTestWorker(temporal, taskQueue, await bundleWorkflows(), {
      ...agntixClientsFor(sandbox.url, SANDBOX_API_KEY),
      sinks: [sqlite],
      policy: {
        ...testPolicy,
        voiceTtlSeconds: 30,
        sinks: ['sqlite'],
        followUp: {
          phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
          ttlSeconds: 30,
          maxAttempts: 3,
          maxDials: 2,
          confirmGraceSeconds: 5,
          rules: anyHour(1000),
          fields: { day: 'preferredDay', window: 'preferredTimeWindow' },
        },
      },
    });
    const running = worker.run();

    demo = await playDemo({
      sandboxUrl: sandbox.url,
      client: temporal.client,
      uiUrl: ui(),
      namespace: 'default',
      say: (line) => log.push(line),
      timeoutMs: 30_000,
    });
    // A second call whose customer wants a callback on a date weeks ahead (inside the 30-day horizon): its follow-up
    // stays scheduled.
    scheduledSessionId = (
      (await (await fetch(`${sandbox.url}/sandbox/sessions`, { method: 'POST' })).json()) as { sessionId: string }
    ).sessionId;
    const ended = sessionEndedEvent({ id: scheduledSessionId, variables: undefined, messages: [] });
    (ended.analysis as { extractedData: Record<string, unknown> }).extractedData.preferredDay = LATER_DAY;
    await deliverSigned(`${api.url}/webhooks/agntix`, secret, ended);
    await temporal.client.workflow.getHandle(scheduledSessionId).result();
    worker.shutdown();
    await running;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    mkdirSync(SHOTS, { recursive: true });
    await waitFor(
      () =>
        fetch(ui()).then(
          (r) => r.ok,
          () => false,
        ),
      'the Web UI to answer',
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    sqlite?.db.close();
    await sandbox?.close();
    await api?.close();
    await temporal?.close();
  });

  // Each step leaves a picture of where the browser ended, so a failure shows what the page looked like.
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-');
    await page?.screenshot({ path: path.join(SHOTS, `last-${name}.png`) });
  });

  /** Waits until some frame shows the text: the UI renders user metadata as markdown in a sandboxed iframe. */
  const see = (text: string | RegExp) =>
    waitFor(
      async () => {
        for (const frame of page.frames()) {
          const shown = await frame
            .locator('body')
            .innerText()
            .catch(() => '');
          if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return true;
        }
        return false;
      },
      `the page to show ${String(text)}`,
      20_000,
    );

  const openList = async (query: string) => {
    await page.goto(`${ui()}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  };

  it('the demo finishes step by step and the outcome store holds the outcome', () => {
    expect(log.filter((l) => /^\d\. /.test(l))).toHaveLength(7);
    expect(log.join('\n')).toContain(`follow-up   ${ui()}/namespaces/default/workflows/${demo.followUpId}   (placed)`);
    const row = sqlite.db.prepare('SELECT kind, outcome FROM sessions WHERE session_id = ?').get(demo.sessionId);
    expect(row).toEqual({ kind: 'completed', outcome: 'Unavailable' });
    const followUp = sqlite.db.prepare('SELECT status FROM follow_ups WHERE follow_up_id = ?').get(demo.followUpId);
    expect(followUp).toEqual({ status: 'chain-ended' });
  });

  it('finds the session by its id', async () => {
    await openList(`WorkflowId="${demo.sessionId}"`);
    await page.getByRole('link', { name: demo.sessionId, exact: true }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'webui-by-id.png') });
  });

  it('finds the session by a search-attribute filter (CRM contact id and outcome)', async () => {
    await openList(`AgntixCrmContactId="CRM-40215" AND AgntixOutcome="Unavailable" AND WorkflowId="${demo.sessionId}"`);
    await page.getByRole('link', { name: demo.sessionId, exact: true }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'webui-filter.png') });
    if (process.env.UPDATE_SCREENSHOTS) {
      mkdirSync(path.dirname(README_SHOT), { recursive: true });
      await openList('AgntixCrmContactId="CRM-40215"');
      await page.getByRole('link', { name: demo.sessionId, exact: true }).waitFor({ timeout: 20_000 });
      await page.screenshot({ path: README_SHOT });
    }
    await openList(`AgntixCrmContactId="CRM-40215" AND AgntixOutcome="Confirmed" AND WorkflowId="${demo.sessionId}"`);
    // The empty list's wording changes between Web UI releases (2.54, with CLI 1.9.1, says "No Workflows Found").
    await page
      .getByText('No Workflows running in this Namespace')
      .or(page.getByText(/No Results|No Workflows Found/i))
      .first()
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'webui-filter-empty.png') });
  });

  it('opens the session and shows its summary and phase', async () => {
    await page.goto(demo.links.session);
    await page.getByText('sessionWorkflow', { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.getByText('User Metadata', { exact: true }).first().click();
    await see('VOICE OUTBOUND · agent c5ca6f81 · CRM CRM-40215 · task TASK-118204');
    await page.screenshot({ path: path.join(SHOTS, 'webui-session-summary.png') });
    // The phase is a search attribute, shown without a worker (current details need one to answer).
    await page.getByText('Search Attributes', { exact: true }).first().click();
    await see('"AgntixPhase": "follow-up-scheduled"');
    await page.screenshot({ path: path.join(SHOTS, 'webui-session.png') });
  });

  it('shows the encrypted session decoded through the codec server: input, result and the customer in a signal', async () => {
    const codecCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${process.env.TEST_CODEC_URL}/decode`)) codecCalls.push(request.url());
    });
    await page.goto(demo.links.session);
    await see(`"sessionId": "${demo.sessionId}"`);
    await see('"outcome": "Unavailable"');
    await page.screenshot({ path: path.join(SHOTS, 'webui-decoded-input-result.png') });
    await page.getByText('Event History', { exact: false }).first().click();
    await page.getByRole('button', { name: 'Descending' }).click(); // the signals are the first events
    // The first signal is session.created, as the webhook delivered it: the customer's name and number.
    await page.getByText('Workflow Execution Signaled').first().click({ timeout: 20_000 });
    await see(CUSTOMER.name);
    await see(CUSTOMER.phone);
    await page.getByText(CUSTOMER.name).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'webui-decoded-signal.png') });
    expect(codecCalls.length).toBeGreaterThan(0);
  });

  it('keeps every history of the demo unreadable to a client without the codec', async () => {
    const plain = new Client({ connection: temporal.client.connection });
    const ids = [demo.sessionId, demo.followUpId, demo.callSessionId, scheduledSessionId];
    for (const id of ids) {
      const bytes = historyBytes(await plain.workflow.getHandle(id).fetchHistory());
      expect(bytes.includes(id)).toBe(true); // the ids are readable: the check reads the right bytes
      for (const secret of Object.values(CUSTOMER))
        expect({ id, found: bytes.includes(secret) }).toEqual({ id, found: false });
    }
    await expect(plain.workflow.getHandle(demo.sessionId).result()).rejects.toThrow(/binary\/encrypted/);
    // The same signals, opened with the service's codec, do hold all of it: the check above is not vacuous.
    const history = await plain.workflow.getHandle(demo.sessionId).fetchHistory();
    const signals = (history.events ?? []).flatMap(
      (e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [],
    );
    const opened = await testDataConverter().payloadCodecs![0]!.decode(signals);
    const text = Buffer.concat(opened.map((p) => Buffer.from(p.data ?? []))).toString('utf8');
    for (const secret of Object.values(CUSTOMER)) expect(text).toContain(secret);
  });

  it('finds the scheduled follow-up of a session', async () => {
    const id = followUpWorkflowId(scheduledSessionId, 1);
    await openList(`AgntixFollowUpOf="${scheduledSessionId}" AND ExecutionStatus="Running"`);
    await page.getByRole('link', { name: id, exact: true }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'webui-follow-up.png') });
    await page.getByRole('link', { name: id, exact: true }).click();
    await page.getByText('Running').first().waitFor({ timeout: 20_000 });
    await page.getByText('Search Attributes', { exact: true }).first().click();
    await page.getByText('AgntixFollowUpAt').first().waitFor({ timeout: 20_000 });
    await page.getByText(new RegExp(LATER_DAY)).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'webui-follow-up-detail.png') });
  });
});
