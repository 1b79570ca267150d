import { Client, Connection } from '@temporalio/client';
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fatal } from '../bin/fatal';
import { createHubSpotClient } from '../activities/sinks/hubspot/client';
import { HubSpotConfigSchema, hubspotSettingsFrom } from '../config/hubspot';
import { playDemo, type DemoResult } from './sandbox/demo';
import { SANDBOX_HUBSPOT_PORT, SANDBOX_HUBSPOT_TOKEN } from './sandbox/fakeHubspot';
import { hubspotRecords } from './sandbox/hubspotReport';
import { SANDBOX_PORT } from './sandbox/env';
import { deliverSigned } from './signing';
import { loadOrCreateDevSecret } from './devSecret';
import { loadOrCreateDevKey } from './devKey';
import { dataConverterFor } from '../temporal/dataConverter';
import { parseKeyRing } from '../temporal/keyRing';

const USAGE = `Usage:
  npm run demo                                   play an outbound call through the stack \`npm start\` runs
  npm run demo -- send <file.json> [--url URL] [--secret whsec_...]
                                                 deliver a payload file (an example, or a dead-lettered event
                                                 saved from the Agntix dashboard) as a signed webhook`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function send(args: string[], env: NodeJS.ProcessEnv, dataDir: string): Promise<number> {
  const file = args[0];
  if (!file || !existsSync(file)) {
    console.error(file ? `no such file: ${file}` : USAGE);
    return 2;
  }
  const url = flag(args, '--url') ?? `http://localhost:${env.PORT ?? 3000}/webhooks/agntix`;
  const secret =
    flag(args, '--secret') ?? env.AGNTIX_WEBHOOK_SECRET?.split(/[\s,]+/)[0] ?? loadOrCreateDevSecret(dataDir).secret;
  // Sent byte for byte as the file holds it: the signature covers the raw body.
  const { status, body } = await deliverSigned(url, secret, readFileSync(file, 'utf8'));
  console.log(`${status} ${JSON.stringify(body)}`);
  return status >= 200 && status < 300 ? 0 : 1;
}

function printStore(file: string, sessionId: string) {
  if (!existsSync(file)) return;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        `SELECT kind, outcome, transcript_messages, correlation_json, chain_state, chain_attempt, chain_reason
         FROM sessions WHERE session_id = ?`,
      )
      .get(sessionId);
    const followUps = db
      .prepare('SELECT follow_up_id, status, call_session_id FROM follow_ups WHERE original_session_id = ?')
      .all(sessionId);
    console.log(`\nThe local outcome store (${file}) holds:`);
    console.log(`  session    ${JSON.stringify(row)}`);
    for (const f of followUps) console.log(`  follow-up  ${JSON.stringify(f)}`);
  } finally {
    db.close();
  }
}

/** The CRM records the HubSpot sink wrote: in your HubSpot account, or in the stand-in `npm start` runs. */
async function printHubSpot(env: NodeJS.ProcessEnv, demo: DemoResult) {
  const stand = env.HUBSPOT_SANDBOX_URL ?? `http://127.0.0.1:${env.HUBSPOT_SANDBOX_PORT ?? SANDBOX_HUBSPOT_PORT}`;
  const settings = hubspotSettingsFrom(
    HubSpotConfigSchema.parse(
      env.HUBSPOT_ACCESS_TOKEN ? env : { ...env, HUBSPOT_ACCESS_TOKEN: SANDBOX_HUBSPOT_TOKEN, HUBSPOT_BASE_URL: stand },
    ),
  );
  if (!settings) return;
  const lines = await hubspotRecords(
    createHubSpotClient(settings),
    [demo.sessionId, demo.callSessionId],
    [demo.followUpId],
    settings.contactProperties,
  ).catch(() => undefined); // no HubSpot sink in this stack: nothing to show
  if (!lines) return;
  console.log(`\nHubSpot (${env.HUBSPOT_ACCESS_TOKEN ? settings.baseUrl : `the local stand-in, ${stand}`}) holds:`);
  for (const line of lines) console.log(line);
}

async function main() {
  const env = process.env;
  const dataDir = path.resolve(env.DATA_DIR ?? '.data');
  const [command, ...args] = process.argv.slice(2);
  if (command === 'send') {
    process.exitCode = await send(args, env, dataDir);
    return;
  }
  if (command !== undefined) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }

  const sandboxUrl = env.SANDBOX_URL ?? `http://127.0.0.1:${env.SANDBOX_PORT ?? SANDBOX_PORT}`;
  const healthy = await fetch(`http://localhost:${env.PORT ?? 3000}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  const sandboxUp = await fetch(`${sandboxUrl}/api/v1/chat/sessions/none`).then(
    () => true,
    () => false,
  );
  if (!healthy || !sandboxUp) {
    console.error('The stack is not running with its sandbox. Start it first, without AGNTIX_API_KEY: npm start');
    process.exitCode = 1;
    return;
  }
  const address = env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const connection = await Connection.connect({ address, connectTimeout: '10s' });
  try {
    const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
    // The keys `npm start` encrypts with: yours, or the development key it keeps in the data folder.
    const keys =
      env.PAYLOAD_ENCRYPTION_KEYS || (env.PAYLOAD_ENCRYPTION === 'off' ? undefined : loadOrCreateDevKey(dataDir).keys);
    const dataConverter = dataConverterFor({
      PAYLOAD_ENCRYPTION_KEYS: keys ? parseKeyRing(keys) : undefined,
      PAYLOAD_ENCRYPTION: 'on',
    });
    const result = await playDemo({
      sandboxUrl,
      client: new Client({ connection, namespace, dataConverter }),
      uiUrl: env.TEMPORAL_UI_URL ?? 'http://localhost:8233',
      namespace,
      say: (line) => console.log(line),
    });
    printStore(env.OUTCOME_SQLITE_PATH ?? path.join(dataDir, 'outcomes.sqlite'), result.sessionId);
    await printHubSpot(env, result);
  } finally {
    await connection.close();
  }
}

main().catch(fatal);
