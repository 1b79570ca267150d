import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { activeTracing } from './tracing';

/**
 * Roots each request's trace (a webhook delivery's) in a server span that is active while the request is handled,
 * so the Temporal call it makes, and the workflow and activities after it, join it. Nothing when tracing is off.
 * Svix sends no trace context: the delivery is where the trace begins.
 */
export function traceRequests(route: string): RequestHandler {
  if (!activeTracing()) return (_req, _res, next) => next();
  const tracer = trace.getTracer('agntix-api');
  return (req, res, next) => {
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      root: true,
      attributes: { 'http.request.method': req.method, 'http.route': route },
    });
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(context.active(), span);
    // The body arrives in stream events, which run in the socket's async context: bind them to the request's.
    context.bind(active, req);
    context.with(active, next);
  };
}
