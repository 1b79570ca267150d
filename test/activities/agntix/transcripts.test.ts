import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { TranscriptMessage } from '../../../src/activities/agntix/client';
import { createLocalTranscriptStore, type TranscriptStore } from '../../../src/activities/agntix/transcripts';
import { migrate } from '../../../src/store/migrate';
import { createPostgresTranscriptStore } from '../../../src/store/postgresTranscripts';
import { postgresForTest } from '../../helpers/postgres';

const messages = (n: number, text = 'hello'): TranscriptMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `msg_${i}`,
    role: i % 2 ? 'user' : 'assistant',
    content: `${text} ${i}`,
  }));

let counter = 0;
const newSessionId = () => `transcript-${process.pid}-${++counter}`;
const links = { baseUrl: 'http://unused.test' };

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
