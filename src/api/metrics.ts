import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { deliveredEventSchemas, plannedEventSchemas } from '../contracts/agntixEvents';

const knownEventTypes = new Set([...Object.keys(deliveredEventSchemas), ...Object.keys(plannedEventSchemas)]);

/**
 * The event type as a metric label: a documented event name, `other` for any other name, `none` when the delivery
 * was refused before its name was read. The name comes from the payload, so anything else would let a sender mint
 * series at will.
 */
export function eventTypeLabel(eventType: string | undefined): string {
  if (eventType === undefined) return 'none';
  return knownEventTypes.has(eventType) ? eventType : 'other';
}

/** Why Temporal did not record a delivery (src/api/recordingFailures.ts), as `agntix_temporal_call_errors_total` says. */
export const TEMPORAL_ERROR_REASONS = ['refused', 'deadline', 'temporal', 'unexpected'] as const;
/** What became of a delivery. */
export const DELIVERY_OUTCOMES = ['started', 'signaled', 'duplicate', 'ignored', 'rejected', 'unavailable'] as const;

/** Prometheus metrics of the ingest endpoint. One registry per app so tests can build several apps. */
export function createIngestMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    deliveries: new Counter({
      name: 'agntix_webhook_deliveries_total',
      help: 'Webhook deliveries by event type (documented names, other, none) and outcome',
      labelNames: ['event_type', 'outcome'] as const,
      registers: [registry],
    }),
    verificationFailures: new Counter({
      name: 'agntix_webhook_verification_failures_total',
      help: 'Deliveries rejected before parsing: missing headers, bad signature, stale or future timestamp',
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'agntix_webhook_ack_latency_seconds',
      help: 'Time from request to response, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    conflictingBodies: new Counter({
      name: 'agntix_webhook_conflicting_bodies_total',
      help: 'Signed deliveries refused because their svix-id came before with another body',
      registers: [registry],
    }),
    conflictChecksSkipped: new Counter({
      name: 'agntix_webhook_conflict_checks_skipped_total',
      help: 'Deliveries passed on unchecked for a conflicting body because the digest store did not answer',
      registers: [registry],
    }),
    temporalErrors: new Counter({
      name: 'agntix_temporal_call_errors_total',
      help: 'Temporal calls that failed or passed the deadline during ingest',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
  // Exported from the first scrape: a series that first appears at 1 has no earlier sample, so rate() and the
  // alerts on it miss its first event, and the dashboard's panels stay empty on a quiet day.
  for (const reason of TEMPORAL_ERROR_REASONS) metrics.temporalErrors.inc({ reason }, 0);
  for (const outcome of DELIVERY_OUTCOMES) {
    metrics.deliveries.inc({ event_type: 'session.ended', outcome }, 0);
    metrics.ackLatency.zero({ outcome });
  }
  metrics.verificationFailures.inc(0);
  return metrics;
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
