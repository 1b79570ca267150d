import type { MetricsExporterConfig } from '@temporalio/worker';

/**
 * The worker's Prometheus endpoint, served by the SDK runtime at /metrics: the SDK's worker metrics (task latencies,
 * schedule-to-start, slots, polls) and the service's counters from workflows and activities. Prometheus conventions:
 * counters end in `_total`, durations are seconds and histograms carry the unit (`_seconds`).
 */
export function prometheusMetrics(port: number, host = '127.0.0.1'): MetricsExporterConfig {
  return {
    prometheus: {
      bindAddress: `${host}:${port}`,
      countersTotalSuffix: true,
      unitSuffix: true,
      useSecondsForDurations: true,
    },
  };
}
