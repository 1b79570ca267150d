import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { deliveredEventSchemas, eventNameOf, plannedEventSchemas } from '../contracts/agntixEvents';
import type { AppDeps } from './app';
import { jsonBoundsProblem } from './bounds';
import { bodyConflict } from './deliveries/conflictCheck';
import { DeadlineExceeded, classifyRecordingFailure } from './recordingFailures';
import { eventTypeLabel } from './metrics';
import type { SignalOutcome } from './sessionSignaler';
import { claimedMessageId, signatureHeadersProblem } from './signature';

type Outcome = SignalOutcome | 'ignored' | 'rejected' | 'unavailable';

/** The first schema problem as "field: message", e.g. "metadata.sessionVariables: expected record". */
function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { field, message: issue?.message ?? 'invalid' };
}

/**
 * The schema for an event name, looked up as an own property: a name such as `constructor` or `__proto__` comes from
 * the payload and must find nothing, not something every object inherits.
 */
function ownSchema<S extends Record<string, z.ZodType>>(schemas: S, name: string | undefined): S[keyof S] | undefined {
  return name !== undefined && Object.hasOwn(schemas, name) ? schemas[name as keyof S] : undefined;
}

function beforeDeadline<T>(work: Promise<T>, deadline: Date): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceeded('Temporal did not acknowledge in time')),
      deadline.getTime() - Date.now(),
    );
  });
  work.catch(() => undefined); // the loser of the race must not become an unhandled rejection
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

interface Reply {
  outcome: Outcome;
  status: number;
  body: Record<string, unknown>;
  eventType?: string;
  sessionId?: string;
  headers?: Record<string, string>;
  /** Logged, never sent. */
  detail?: Record<string, unknown>;
}

const invalidPayload = (field: string, message: string, eventType?: string): Reply => ({
  outcome: 'rejected',
  status: 400,
  body: { error: 'invalid_payload', field, message: `${field}: ${message}` },
  eventType,
});

/** Verify, parse, record in Temporal: everything but the response itself. */
async function handleDelivery(deps: AppDeps, req: Request): Promise<Reply> {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  // Before anything recursive sees the body; answered only once the signature says the bytes are genuine.
  const outOfBounds = jsonBoundsProblem(raw);
  const verification = deps.verify(raw, req.headers);
  if (!verification.ok && verification.status === 401) {
    deps.metrics.verificationFailures.inc();
    return { outcome: 'rejected', status: 401, body: { error: 'invalid_signature', message: verification.error } };
  }
  deps.connections?.markSigned(req.socket);
  if (outOfBounds) return invalidPayload(outOfBounds.field, outOfBounds.message);
  if (!verification.ok) {
    return { outcome: 'rejected', status: 400, body: { error: 'invalid_json', message: verification.error } };
  }

  const { id: messageId, payload } = verification.delivery;
  const eventType = eventNameOf(payload);
  const delivered = ownSchema(deliveredEventSchemas, eventType);
  if (!delivered) {
    const planned = ownSchema(plannedEventSchemas, eventType);
    // Planned or unknown events start nothing. A planned one that does not match its documented shape is still
    // answered 2xx (nothing depends on it, and a 4xx would only make Svix retry it for a day), but logged.
    const check = planned?.safeParse(payload);
    const schemaIssue = check && !check.success ? describeIssue(check.error) : undefined;
    return {
      outcome: 'ignored',
      status: 200,
      body: { status: 'ignored', eventType: eventType ?? null },
      eventType,
      detail: { planned: planned !== undefined, schemaIssue },
    };
  }

  const parsed = delivered.safeParse(payload);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    return invalidPayload(field, message, eventType);
  }
  const event = parsed.data;
  const conflict = await bodyConflict(deps, messageId, raw);
  if (conflict) return { outcome: 'rejected', ...conflict, eventType, sessionId: event.id };
  const signal = { svixId: messageId, receivedAt: new Date().toISOString(), event };
  const deadline = new Date(Date.now() + deps.deadlineMs);
  try {
    const { outcome, searchAttributesOmitted } = await beforeDeadline(
      deps.signaler.deliver(signal, deadline),
      deadline,
    );
    return {
      outcome,
      status: 200,
      body: { status: outcome, workflowId: event.id },
      eventType,
      sessionId: event.id,
      detail: searchAttributesOmitted.length > 0 ? { searchAttributesOmitted } : undefined,
    };
  } catch (err) {
    return { ...notRecorded(deps, err), eventType, sessionId: event.id };
  }
}

/**
 * A signed, well-formed delivery that Temporal did not record. 503 (Svix retries) only when a retry may succeed;
 * 422 when Temporal refuses the input itself, which would fail the same way for a day of retries.
 */
function notRecorded(deps: AppDeps, err: unknown): Reply {
  const failure = classifyRecordingFailure(err);
  if (failure.kind === 'refused') {
    deps.metrics.temporalErrors.inc({ reason: 'refused' });
    return {
      outcome: 'rejected',
      status: 422,
      body: {
        error: 'unrecordable',
        ...(failure.field ? { field: failure.field } : {}),
        message: 'Temporal refuses this event as invalid; it would be refused on every retry',
      },
      detail: { err: failure.detail },
    };
  }
  deps.metrics.temporalErrors.inc({ reason: failure.reason });
  return {
    outcome: 'unavailable',
    status: 503,
    body: { error: 'temporal_unavailable', message: 'event not recorded; retry later' },
    headers: { 'Retry-After': String(deps.retryAfterSeconds) },
    detail: { err: failure.detail, reason: failure.reason },
  };
}

/**
 * POST /webhooks/agntix: verify, parse, record in Temporal, then answer. 2xx only once Temporal has acknowledged,
 * because that is the durable enqueue; 503 with Retry-After before the deadline otherwise, so Svix retries.
 * Every delivery, rejected ones included, gets one JSON answer, one metric and one log line through `send`.
 */
export function webhookRouter(deps: AppDeps): Router {
  const send = (req: Request, res: Response, reply: Reply) => {
    const seconds = Number(process.hrtime.bigint() - (res.locals.startedAt as bigint)) / 1e9;
    deps.metrics.deliveries.inc({ event_type: eventTypeLabel(reply.eventType), outcome: reply.outcome });
    deps.metrics.ackLatency.observe({ outcome: reply.outcome }, seconds);
    res
      .status(reply.status)
      .set(reply.headers ?? {})
      .json(reply.body);
    deps.logger[reply.status >= 500 ? 'warn' : 'info'](
      {
        svixId: claimedMessageId(req.headers),
        eventType: reply.eventType,
        sessionId: reply.sessionId,
        outcome: reply.outcome,
        status: reply.status,
        latencyMs: Math.round(seconds * 1000),
        ...reply.detail,
      },
      'webhook delivery',
    );
  };

  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    res.locals.startedAt = process.hrtime.bigint();
    if (req.is('application/json')) return next();
    send(req, res, {
      outcome: 'rejected',
      status: 415,
      body: { error: 'unsupported_media_type', message: 'Content-Type must be application/json' },
    });
  };

  // A delivery that cannot verify whatever its body holds is answered before the body is read, and the connection
  // closed rather than drained, so a client cannot hold the API reading a body it will reject.
  const rejectUnverifiableEarly = (req: Request, res: Response, next: NextFunction) => {
    const problem = signatureHeadersProblem(req.headers);
    if (problem === undefined) return next();
    deps.metrics.verificationFailures.inc();
    res.set('Connection', 'close');
    send(req, res, { outcome: 'rejected', status: 401, body: { error: 'invalid_signature', message: problem } });
  };

  // Body-parser errors (oversize, an upload aborted midway, a bad encoding) arrive here: answered, counted and
  // logged like any other delivery. An aborted client never reads the answer, but the log line and metric remain.
  // The rest (a stream fault of ours, status 500) is answered 503 like any failure a retry may cure: never a 500.
  const bodyErrors = (err: { type?: string; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') {
      return send(req, res, {
        outcome: 'rejected',
        status: 413,
        body: { error: 'payload_too_large', message: `body exceeds ${deps.maxBodyBytes} bytes` },
      });
    }
    if (err.type === undefined || err.status === undefined || err.status >= 500)
      return send(req, res, notRecorded(deps, err));
    send(req, res, {
      outcome: 'rejected',
      status: err.status,
      body: { error: err.type.replace(/[.]/g, '_'), message: 'the request body could not be read' },
    });
  };

  const router = express.Router();
  const readRaw = express.raw({ type: () => true, limit: deps.maxBodyBytes });
  router.post('/webhooks/agntix', requireJson, rejectUnverifiableEarly, readRaw, async (req, res) => {
    let reply: Reply;
    try {
      reply = await handleDelivery(deps, req);
    } catch (err) {
      // A bug of ours, not the sender's: 503 so the delivery is retried after the fix, never a 500 Svix would keep.
      reply = notRecorded(deps, err);
    }
    send(req, res, reply);
  });
  router.use('/webhooks/agntix', bodyErrors);
  return router;
}
