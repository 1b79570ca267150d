import { randomBytes } from 'node:crypto';
import { newSecret } from '../../src/dev/signing';
import { devStackEnv, startStack } from '../helpers/devStack';
import { runDocumented, startDocumented } from '../helpers/documentedCommands';
import { waitFor } from '../helpers/wait';

/*
 * The README's own starts, as written (test/docs/documentedCommands.test.ts holds the list): `npm start` with the demo
 * played through it, and the API and the codec server on their own (as a deployment runs them beside a worker).
 */

test('npm start and the demo played through it, as the README writes them', async () => {
  const quickStart = await devStackEnv({ AGNTIX_WEBHOOK_SECRET: newSecret() });
  const started = await startStack('npm start', quickStart);
  try {
    const demo = await runDocumented('npm run demo', {}, quickStart);
    expect(demo).toMatchObject({ code: 0 });
    // Where the customer stands, on the session's own row once its chain has ended (docs/operations.md).
    expect(demo.text).toContain(
      '"chain_state":"chain-ended","chain_attempt":1,"chain_reason":"the callback was satisfied or declined"',
    );
  } finally {
    started.stop();
  }
}, 300_000);

test('the API and the codec server start on their own', async () => {
  const alone = await devStackEnv({ AGNTIX_WEBHOOK_SECRET: newSecret() });
  alone.PAYLOAD_ENCRYPTION_KEYS = `k1:${randomBytes(32).toString('base64')}`;
  const api = startDocumented('npm run start:api', {}, alone);
  const codec = startDocumented('npm run start:codec-server', {}, alone);
  try {
    const answers = (url: string) => async () => (await fetch(url).catch(() => undefined))?.ok === true;
    await waitFor(answers(`http://127.0.0.1:${alone.PORT}/readyz`), 'the API to be ready', 60_000);
    await waitFor(answers(`http://127.0.0.1:${alone.CODEC_SERVER_PORT}/healthz`), 'the codec server', 60_000);
  } finally {
    api.stop();
    codec.stop();
  }
}, 120_000);
