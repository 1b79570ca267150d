import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm start` keeps its development payload key. Operator commands read it (outside production) so that a
 * command run beside `npm start` decodes the answers it gets; only src/dev ever writes it.
 */
export function devKeyFile(dataDir: string): string {
  return path.resolve(dataDir, 'payload-key');
}

/** The development key `npm start` created in `dataDir`, if it has run there. */
export function readDevKey(dataDir: string): string | undefined {
  const file = devKeyFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
