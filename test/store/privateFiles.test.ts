import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import type { OutcomeEvent } from '../../src/contracts';

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** Customers' words stay readable by the service's own user only, even under a umask that would share them. */
describe('files the service writes', () => {
  let umask: number;
  beforeEach(() => (umask = process.umask(0o000)));
  afterEach(() => process.umask(umask));

  it('creates the SQLite store, its -wal and -shm and its new folders private', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'private-'));
    const file = path.join(root, 'data', 'store', 'outcomes.sqlite');
    const sink = createSqliteSink(file);
    await sink.record({
      idempotencyKey: 's1:completed',
      kind: 'completed',
      sessionId: 's1',
      source: 'webhook',
      correlation: {},
      followUpDue: false,
      phase: 'done',
      recordedAt: new Date().toISOString(),
    } satisfies OutcomeEvent);
    expect([file, `${file}-wal`, `${file}-shm`].map(modeOf)).toEqual(['600', '600', '600']);
    expect([path.join(root, 'data'), path.join(root, 'data', 'store')].map(modeOf)).toEqual(['700', '700']);
    sink.db.close();
  });

  it('makes an existing world-readable store private when it opens it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'private-')), 'outcomes.sqlite');
    writeFileSync(file, '', { mode: 0o644 });
    createSqliteSink(file).db.close();
    expect(modeOf(file)).toBe('600');
  });

  it('archives transcripts as private files in a private folder', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'private-')), 'transcripts');
    const ref = await createLocalTranscriptStore(dir).put('s1', [{ id: 'm1', role: 'USER', content: 'hello' }]);
    expect(modeOf(dir)).toBe('700');
    expect(modeOf(new URL(ref).pathname)).toBe('600');
  });
});
