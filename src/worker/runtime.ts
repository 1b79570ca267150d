import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const levels: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'WARN',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

/**
 * Installs the SDK runtime once per process, before anything else touches it. The SDK's own INFO lines (worker
 * state changes, the bundle report) are routine, so they show only at debug level.
 */
export function installRuntime(logLevel: string): void {
  Runtime.install({ logger: new DefaultLogger(levels[logLevel] ?? 'WARN') });
}
