import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ObservabilityConfig } from '../config/observability';

/** The process's tracing: where every span ends, the workflows' included (they arrive through a worker sink). */
export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Exports what is still buffered; call it last on shutdown. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** The tracing installed in this process, if any: the API's client and the worker read it when they are built. */
export const activeTracing = (): Tracing | undefined => installed;

/**
 * Installs tracing once per process, before the API or the worker is built: a tracer provider with the Node async
 * context and W3C trace-context propagation, its spans sent to `spanProcessor`. Tests pass an in-memory one.
 */
export function installTracing(serviceName: string, spanProcessor: SpanProcessor): Tracing {
  if (installed) throw new Error('tracing is already installed in this process');
  const resource = new Resource({ 'service.name': serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  installed = {
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      installed = undefined;
    },
  };
  return installed;
}

/**
 * Tracing as configured: spans batched to the OTLP/HTTP collector at OTEL_EXPORTER_OTLP_ENDPOINT (its usual
 * OTEL_EXPORTER_OTLP_HEADERS apply), or nothing at all when it is unset: no provider, no interceptors, no spans.
 */
export function installConfiguredTracing(config: ObservabilityConfig, defaultServiceName: string): Tracing | undefined {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  return installTracing(config.OTEL_SERVICE_NAME ?? defaultServiceName, new BatchSpanProcessor(exporter));
}
