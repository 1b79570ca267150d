import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { prometheusMetrics } from '../observability/workerMetrics';

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
 * state changes, the bundle report) are routine, so they show only at debug level. With a metrics port, the runtime
 * serves the worker's Prometheus endpoint: the SDK's metrics and the service's own.
 */
export function installRuntime(logLevel: string, metricsPort?: number, metricsHost?: string): void {
  Runtime.install({
    logger: new DefaultLogger(levels[logLevel] ?? 'WARN'),
    ...(metricsPort !== undefined
      ? { telemetryOptions: { metrics: prometheusMetrics(metricsPort, metricsHost) } }
      : {}),
  });
}
