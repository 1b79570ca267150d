import pretty from 'pino-pretty';
import type { DestinationStream } from 'pino';

/**
 * Where `npm start` sends its logs in development: one readable line per entry ("12:03:04.512 INFO: webhook
 * delivery" and the fields below it) instead of JSON. The logger redacts before it writes, so secrets and phone
 * numbers stay hidden here too. Production (NODE_ENV=production, and the compiled entry points) keeps JSON lines.
 */
export function prettyDestination(destination: NodeJS.WritableStream = process.stdout): DestinationStream {
  return pretty({
    destination,
    colorize: destination === process.stdout && process.stdout.isTTY,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname',
    // Low volume in development, and nothing is lost when Ctrl-C ends the process right after a line.
    sync: true,
  });
}
