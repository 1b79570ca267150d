import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';

/*
 * Outcomes and transcripts hold customers' words: the files this service writes are readable by its own user only
 * (folders 0700, files 0600), set with chmod after creation so the process umask cannot widen them.
 */

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the missing folders of `dir` as private. A folder that already existed keeps the mode its owner gave it. */
export function ensurePrivateDirSync(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // mkdir returns the first folder it created; every folder from there down to `dir` is ours.
  const top = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chmodSync(d, PRIVATE_DIR_MODE);
    if (d === top || d === path.dirname(d)) break;
  }
}

/** Creates `file` if missing and makes it, and those of `companions` that exist, private. */
export function ensurePrivateFileSync(file: string, companions: string[] = []): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, ...companions]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}

/** A folder only this service writes to: created if missing, and made private whether new or not. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}
