import pino, { type Logger } from 'pino';
import { traceContext } from './observability/logContext';
import { maskPhone } from './contracts/masking';

export { maskPhone };

/** Paths that can hold a secret or a phone number, wherever a log call puts them. */
const secretPaths = ['apiKey', '*.apiKey', 'secret', '*.secret', 'headers["x-api-key"]', 'headers.authorization'];
const phonePaths = [
  'customerPhoneNumber',
  '*.customerPhoneNumber',
  '*.*.customerPhoneNumber',
  'to_phone_number',
  '*.to_phone_number',
];

/** The process logger: JSON lines with secrets removed, phone numbers masked, and the active trace's ids. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      mixin: traceContext,
      redact: {
        paths: [...secretPaths, ...phonePaths],
        censor: (value, path) => (/phone/i.test(path.at(-1) ?? '') ? maskPhone(value) : '[redacted]'),
      },
    },
    destination,
  );
}

export type { Logger };
