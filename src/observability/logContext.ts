import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The active span's ids for a log line (a pino mixin), so a line leads to its trace; with the session id the line
 * already names, to the workflow. Nothing when no span is active or tracing is off.
 */
export function traceContext(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext)
    ? { trace_id: spanContext.traceId, span_id: spanContext.spanId }
    : {};
}
