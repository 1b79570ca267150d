import { createLogger } from '../../src/logging';

/** A real logger whose JSON lines are kept in memory, so a test can read what an operator would see. */
export function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}
