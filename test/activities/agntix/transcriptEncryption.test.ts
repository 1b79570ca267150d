import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalTranscriptStore } from '../../../src/activities/agntix/transcripts';
import { readTranscript } from '../../../src/automations/core';
import { generateKeyItem, parseKeyRing } from '../../../src/temporal/keyRing';

const messages = [
  {
    id: 'm1',
    role: 'USER',
    content: "Yes, speaking, but I'm driving at the moment.",
    createdAt: '2026-07-14T09:12:09Z',
  },
  { id: 'm2', role: 'ASSISTANT', content: 'No problem. Shall we call you back?', createdAt: '2026-07-14T09:12:13Z' },
];

describe('the transcript archive, encrypted at rest', () => {
  const old = generateKeyItem('k1');
  const current = generateKeyItem('k2');
  const newDir = () => mkdtempSync(path.join(tmpdir(), 'transcripts-'));

  it('writes only ciphertext and the session id, and reads back through readTranscript', async () => {
    const dir = newDir();
    const store = createLocalTranscriptStore(dir, parseKeyRing(current));
    const ref = await store.put('session-1', messages);
    const file = readFileSync(new URL(ref), 'utf8');
    expect(file).not.toContain('driving');
    expect(JSON.parse(file)).toMatchObject({
      sessionId: 'session-1',
      encryption: { algorithm: 'AES-256-GCM', keyId: current.split(':')[0] },
    });
    expect(await readTranscript({ transcripts: store }, { ref, messages: 2, pages: 1 })).toEqual(messages);
    expect(await readTranscript({ transcripts: store }, ref)).toEqual(messages);
    expect(readdirSync(dir)).toEqual(['session-1.json']); // no temporary file left behind
  });

  it('reads an archive sealed under a key that has since been rotated out of first place', async () => {
    const dir = newDir();
    const ref = await createLocalTranscriptStore(dir, parseKeyRing(old)).put('session-2', messages);
    const rotated = createLocalTranscriptStore(dir, parseKeyRing(`${current},${old}`));
    expect(await rotated.read(ref)).toEqual(messages);
  });

  it('reads an archive written in plain text before keys were configured', async () => {
    const dir = newDir();
    const ref = await createLocalTranscriptStore(dir).put('session-3', messages);
    expect(readFileSync(new URL(ref), 'utf8')).toContain('driving');
    expect(await createLocalTranscriptStore(dir, parseKeyRing(current)).read(ref)).toEqual(messages);
  });

  it('says so when an encrypted archive is read without keys', async () => {
    const dir = newDir();
    const ref = await createLocalTranscriptStore(dir, parseKeyRing(current)).put('session-4', messages);
    await expect(createLocalTranscriptStore(dir).read(ref)).rejects.toThrow(/PAYLOAD_ENCRYPTION_KEYS is not set/);
  });

  it('reads only files of its own archive', async () => {
    const dir = newDir();
    const store = createLocalTranscriptStore(dir, parseKeyRing(current));
    const elsewhere = path.join(newDir(), 'session-5.json');
    writeFileSync(elsewhere, JSON.stringify({ sessionId: 'session-5', messages }));
    await expect(store.read(pathToFileURL(elsewhere).href)).rejects.toThrow(/not a transcript of the archive/);
    await expect(store.read(`file://${dir}/../../etc/passwd`)).rejects.toThrow(/not a transcript of the archive/);
    await expect(store.read('https://example.com/session-5.json')).rejects.toThrow(/not a transcript of the archive/);
  });

  it('removes a transcript once, and says when there was none', async () => {
    const dir = newDir();
    const store = createLocalTranscriptStore(dir, parseKeyRing(current));
    const ref = await store.put('session-6', messages);
    expect(await store.remove('session-6')).toBe(true);
    expect(existsSync(new URL(ref))).toBe(false);
    expect(await store.remove('session-6')).toBe(false);
  });
});
