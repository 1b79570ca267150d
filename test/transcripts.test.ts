import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { TranscriptMessage } from '../src/activities/agntix/client';
import { createLocalTranscriptStore, type TranscriptStore } from '../src/activities/agntix/transcripts';
import { migrate } from '../src/store/migrate';
import { createPostgresTranscriptStore } from '../src/store/postgresTranscripts';
import type { TranscriptLinkSettings } from '../src/store/transcriptLinks';
import { startTestApi, type TestApi } from './helpers/api';
import { postgresForTest } from './helpers/postgres';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from './helpers/temporal';
import { newSecret } from '../src/dev/signing';

const messages = (n: number, text = 'hello'): TranscriptMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `msg_${i}`,
    role: i % 2 ? 'user' : 'assistant',
    content: `${text} ${i}`,
  }));

let counter = 0;
const newSessionId = () => `transcript-${process.pid}-${++counter}`;
const links: TranscriptLinkSettings = { baseUrl: 'http://unused.test', secret: 'a'.repeat(40), ttlSeconds: 3600 };

let pool: Pool;
let database: { url: string; stop(): Promise<void> };
beforeAll(async () => {
  database = await postgresForTest('transcripts');
  pool = new Pool({ connectionString: database.url });
  await migrate(pool);
});
afterAll(async () => {
  await pool?.end();
  await database?.stop();
});

describe.each([
  ['a local folder', () => createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'transcripts-')))],
  ['PostgreSQL', () => createPostgresTranscriptStore(pool, links)],
])('transcript store in %s', (_name, open: () => TranscriptStore) => {
  let store: TranscriptStore;
  beforeAll(() => {
    store = open();
  });

  it('gives back the whole transcript it stored', async () => {
    const id = newSessionId();
    await store.put(id, messages(250));
    expect(await store.get(id)).toEqual(messages(250));
  });

  it('replaces the transcript when a retried attempt stores it again', async () => {
    const id = newSessionId();
    await store.put(id, messages(3, 'first'));
    await store.put(id, messages(2, 'second'));
    expect(await store.get(id)).toEqual(messages(2, 'second'));
  });

  it('has nothing for a session it never stored', async () => {
    expect(await store.get(newSessionId())).toBeUndefined();
  });
});

describe('transcript links served by the API', () => {
  let temporal: TestTemporal;
  let api: TestApi;
  let settings: TranscriptLinkSettings;
  const secret = 'link-secret-'.padEnd(48, 'x');

  beforeAll(async () => {
    temporal = await connectTestTemporal();
    const reader = createPostgresTranscriptStore(pool, { ...links, secret });
    api = await startTestApi(temporal.client, uniqueTaskQueue('links'), [newSecret()], {
      transcripts: { transcripts: reader, linkSecret: secret },
    });
    settings = { baseUrl: `${api.url}/`, secret, ttlSeconds: 600 };
  });
  afterAll(async () => {
    await api?.close();
    await temporal?.close();
  });

  const fetchJson = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };

  it('serves the transcript behind the link a worker sent out, to anyone holding the link', async () => {
    const id = newSessionId();
    const ref = await createPostgresTranscriptStore(pool, settings).put(id, messages(4));
    expect(ref).toMatch(new RegExp(`^${api.url}/transcripts/${id}\\?expires=\\d+&sig=[\\w-]+$`));

    const res = await fetchJson(ref);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessionId: id, messages: messages(4) });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });

  it('refuses a link whose signature was altered', async () => {
    const ref = await createPostgresTranscriptStore(pool, settings).put(newSessionId(), messages(1));
    const tampered = ref.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect(await fetchJson(tampered)).toMatchObject({ status: 403, body: { error: 'invalid_signature' } });
  });

  it("refuses one session's signature on another session", async () => {
    const ref = await createPostgresTranscriptStore(pool, settings).put(newSessionId(), messages(1));
    const other = newSessionId();
    await createPostgresTranscriptStore(pool, settings).put(other, messages(1));
    const swapped = ref.replace(/\/transcripts\/[^?]+/, `/transcripts/${other}`);
    expect(await fetchJson(swapped)).toMatchObject({ status: 403, body: { error: 'invalid_signature' } });
  });

  it('refuses a link signed with another secret', async () => {
    const ref = await createPostgresTranscriptStore(pool, { ...settings, secret: 'b'.repeat(48) }).put(
      newSessionId(),
      messages(1),
    );
    expect(await fetchJson(ref)).toMatchObject({ status: 403, body: { error: 'invalid_signature' } });
  });

  it('refuses a link past its expiry', async () => {
    const issuedLongAgo = () => Date.now() - 601_000;
    const ref = await createPostgresTranscriptStore(pool, settings, undefined, issuedLongAgo).put(
      newSessionId(),
      messages(1),
    );
    expect(await fetchJson(ref)).toMatchObject({ status: 403, body: { error: 'link_expired' } });
  });

  it('answers 404 for a genuine link to a transcript that is not stored', async () => {
    const id = newSessionId();
    const ref = await createPostgresTranscriptStore(pool, settings).put(id, messages(1));
    await pool.query('DELETE FROM transcripts WHERE session_id = $1', [id]);
    expect(await fetchJson(ref)).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
