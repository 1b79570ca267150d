import { trace } from '@opentelemetry/api';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { tracingClientInterceptors } from '../../src/observability/temporalTracing';
import { activeTracing, installConfiguredTracing } from '../../src/observability/tracing';
import { observedWorkerOptions } from '../../src/observability/worker';

/** Tracing as configured: nothing without OTEL_EXPORTER_OTLP_ENDPOINT, spans to the collector with it. */
describe('tracing configuration', () => {
  let collector: Server;
  const received: Array<{ path: string; body: string }> = [];

  beforeAll(async () => {
    const app = express();
    app.post('/otlp/v1/traces', express.text({ type: () => true }), (req, res) => {
      received.push({ path: req.path, body: String(req.body) });
      res.json({});
    });
    collector = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it('is off without an endpoint: no provider, no client interceptors, no workflow module, no sink', () => {
    expect(installConfiguredTracing(loadConfig({}), 'agntix-api')).toBeUndefined();
    expect(activeTracing()).toBeUndefined();
    expect(tracingClientInterceptors()).toBeUndefined();
    const worker = observedWorkerOptions(['sqlite']);
    expect(worker.sinks).toBeUndefined();
    expect(worker.interceptors?.workflowModules).toBeUndefined();
  });

  it('sends spans by OTLP/HTTP to <endpoint>/v1/traces, under the service name', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/otlp/`;
    const tracing = installConfiguredTracing(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), 'agntix-api');
    expect(tracing).toBeDefined();
    trace.getTracer('probe').startSpan('a probe span').end();
    await tracing!.shutdown(); // flushes the batch
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toContain('agntix-api');
    expect(received[0]!.body).toContain('a probe span');
  });
});
