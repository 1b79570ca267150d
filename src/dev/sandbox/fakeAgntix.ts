import express from 'express';
import { randomUUID } from 'node:crypto';
import { escalationQueue, exampleSessions } from './exampleSessions';
import { listenOnLoopback } from './loopbackServer';
import { deliverSigned } from '../signing';
import { scriptedTranscript, sessionCreatedEvent, sessionEndedEvent, type ScriptedSession } from './script';

/*
 * The one local stand-in for Agntix, shared by `npm start` (its sandbox), the demo and the tests. It implements the
 * documented endpoints this service calls (session detail, paged messages, calls/start, the sessions list; API.md
 * 7.1-7.3, 7.5, 9): x-api-key
 * auth, a page size of its own (it clamps `limit` silently, as the docs say), the documented error envelope. With a
 * webhook target it also plays the platform's side: scripted calls and the webhooks of the calls it places, signed
 * as Svix signs them.
 */

export const SANDBOX_API_KEY = 'pk_sandbox_local';
export const SANDBOX_PHONE_NUMBER_ID = '00000000-0000-4000-8000-00000000a9e1';

/**
 * How the fake answers one calls/start request; the default places the call and returns its session id. A hang
 * receives the request and never answers; `placed` says whether the call started anyway (it is then in the
 * sessions list, as on the platform), for an error status too. `listedAfterMs` makes the sessions list show a
 * placed call only that long after calls/start (a platform that queues the dial before listing it). `untraceable`:
 * the list shows that session without its variables, so nothing can tie it to the dial (the needs-operator scenario).
 */
export type CallBehaviour = (
  { status: number; retryAfter?: string; placed?: boolean; untraceable?: boolean } | { hang: true; placed?: boolean }
) & { listedAfterMs?: number };

export interface PlacedCallRecord {
  phoneNumberId: string;
  body: { to_phone_number: string; agent_id: string; ttl: number; session_variables: Record<string, string> };
  at: number;
  /** The session id it answered with; undefined when it did not place the call (or hung). */
  sessionId?: string;
  status?: number;
}

/**
 * Failures the fake injects on its own, for the fault suite: a flaky platform, as seen from this service. Each is a
 * share between 0 and 1 of the requests it applies to. (Tests that set one failure at a time use the returned
 * `faults` controls instead.)
 */
export interface FakeAgntixChaos {
  /** Transcript page requests answered 500, 503, 429 (Retry-After: 1) or with a reset connection. */
  messagePages?: number;
  /**
   * Placed calls whose calls/start still answers 502, the ambiguous case that must not lead to a redial: exactly this
   * share, evenly spaced (the first of every ten calls for 0.1), so a run with few calls still has one.
   */
  callsStartAmbiguous?: number;
  /**
   * Those ambiguous calls are also slow to show: listed by the sessions list only this long after the dial, and their
   * own webhooks sent later still, so only a second read of the list can find them (absence proven twice).
   */
  ambiguousCallsLate?: { listedAfterMs: number; webhooksAfterMs: number };
  /** The dice; Math.random by default (the suite passes a seeded one). */
  random?: () => number;
}

/** What the API serves for one session id. */
export interface FakeSession {
  detail?: Record<string, unknown>;
  messages?: Array<Record<string, unknown>>;
}

export interface FakeAgntixOptions {
  /** The key x-api-key must carry; the sandbox's by default. */
  apiKey?: string;
  /** Messages per page, whatever `limit` asks for. */
  pageSize?: number;
  /** 0 (a free port) by default. */
  port?: number;
  /** Where to deliver webhooks; without it the fake is only an API (tests deliver their own). */
  webhooks?: { url: string; secret: string };
  /** Seconds a placed call lasts before its session.ended. */
  callSeconds?: number;
  /** How long each API answer takes, as across a real network (benchmarks). */
  latencyMs?: number;
  /** Seed of the sequence that decides which requests fail under `faults`; the same seed fails the same requests. */
  seed?: number;
  /**
   * How the platform's webhooks reach the endpoint; signed and POSTed once to `webhooks` by default. The fault suite
   * passes its own Svix-like delivery (redeliveries, retries).
   */
  deliverWebhook?: (event: Record<string, unknown>) => Promise<unknown>;
  chaos?: FakeAgntixChaos;
  /** Serve the sessions of the repo's example payloads (`npm start`, where the README sends them). */
  serveExamples?: boolean;
  log?: (line: string) => void;
}

/** One transcript page request and how it was answered. */
export interface PageRequest {
  sessionId: string;
  page: number;
  status: number;
}

/** A small seeded generator (mulberry32): fault injection that a test can repeat exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFakeAgntix(options: FakeAgntixOptions = {}) {
  const apiKey = options.apiKey ?? SANDBOX_API_KEY;
  const pageSize = options.pageSize ?? 4;
  const log = options.log ?? (() => undefined);
  const sessions = new Map<string, FakeSession>();
  const requests: string[] = [];
  const calls: PlacedCallRecord[] = [];
  const callScript: CallBehaviour[] = [];
  const pageRequests: PageRequest[] = [];
  /** Sessions the sessions list does not show before this time (a call listed late). */
  const listedFrom = new Map<string, number>();
  /** Faults tests set: the share of page requests answered 503, and the status the sessions list answers with. */
  const faults = { messages: 0, sessionsListStatus: 200 };
  const random = seeded(options.seed ?? 1);
  const webhooks = options.webhooks;
  const chaos = options.chaos ?? {};
  const dice = chaos.random ?? Math.random;
  const injected = { messagePages: 0, callsStartAmbiguous: 0 };
  let callsPlaced = 0;
  const nextCallAmbiguous = () => {
    const share = chaos.callsStartAmbiguous ?? 0;
    callsPlaced++;
    return Math.ceil(callsPlaced * share) > Math.ceil((callsPlaced - 1) * share);
  };
  const sendsWebhooks = options.deliverWebhook !== undefined || webhooks !== undefined;
  /**
   * Follow-up chains (their `followUpOf` variable) whose calls the platform lags on, the fault suite's late call: the
   * call is placed and answered, but the API shows it OPEN and its webhooks wait until the test says the platform
   * caught up (answerHeld, then deliverHeld). Such a call's calls/start answers 200, never the ambiguous 502.
   */
  const lagging = new Set<string>();
  const held = new Map<
    string,
    { session: ScriptedSession; created: Record<string, unknown>; ended?: Record<string, unknown> }
  >();

  const deliver = async (event: Record<string, unknown>): Promise<unknown> => {
    if (options.deliverWebhook) return options.deliverWebhook(event);
    if (!webhooks) return undefined;
    const { status, body } = await deliverSigned(webhooks.url, webhooks.secret, event);
    log(`sandbox → ${String(event.eventType)} ${String(event.id)}: ${status} ${JSON.stringify(body)}`);
    return { status, body };
  };
  /** A scripted session's state as the API serves it: the webhook's shape without its event name (API.md 7.2). */
  const serve = (event: Record<string, unknown>, messages: Array<Record<string, unknown>>) => {
    const detail = { ...event };
    delete detail.eventType;
    sessions.set(String(event.id), { detail, messages });
    return event;
  };
  const open = (session: ScriptedSession) => deliver(serve(sessionCreatedEvent(session), session.messages));
  const close = (session: ScriptedSession, callbackRequested: boolean) =>
    deliver(serve(sessionEndedEvent(session, { callbackRequested }), session.messages));

  if (options.serveExamples) {
    for (const { detail, messages } of exampleSessions()) sessions.set(String(detail.id), { detail, messages });
  }

  const app = express();
  app.use(escalationQueue(log));
  const scripted = new Map<string, ScriptedSession>();
  // The demo's controls: start a scripted outbound call, then end it with a callback request.
  app.post('/sandbox/sessions', async (_req, res) => {
    const session: ScriptedSession = { id: randomUUID(), variables: undefined, messages: scriptedTranscript() };
    scripted.set(session.id, session);
    res.json({ sessionId: session.id, delivery: await open(session) });
  });
  app.post('/sandbox/sessions/:id/end', async (req, res) => {
    const session = scripted.get(req.params.id);
    if (!session) return void res.status(404).json({ error: 'unknown sandbox session' });
    res.json({ sessionId: session.id, delivery: await close(session, true) });
  });

  // Practice for the AgntixFollowUpNeedsOperator runbook: a call ending with a callback request whose follow-up dial
  // is answered 502 although the call rang, and which the sessions list cannot tie to the dial. The next calls/start
  // (of any follow-up) is the one scripted.
  app.post('/sandbox/scenarios/needs-operator', async (_req, res) => {
    callScript.push({ status: 502, placed: true, untraceable: true });
    const session: ScriptedSession = { id: randomUUID(), variables: undefined, messages: scriptedTranscript() };
    scripted.set(session.id, session);
    await open(session);
    res.json({ sessionId: session.id, followUpId: `followup-${session.id}-1`, delivery: await close(session, true) });
  });

  // The Agntix API, as documented. Everything below requires the key, like the real x-api-key.
  const api = express.Router();
  const authorize = (req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.header('x-api-key') === apiKey) return next();
    res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'unknown API key', requestId: 'req_auth' } });
  };
  api.use((req, res, next) => {
    requests.push(`${req.method} ${req.path}`);
    if (options.latencyMs) return void setTimeout(authorize, options.latencyMs, req, res, next);
    authorize(req, res, next);
  });
  const notFound = (res: express.Response) =>
    res.status(404).json({ error: { code: 'SESSION_NOT_FOUND', message: 'Session not found', requestId: 'req_404' } });
  api.get('/api/v1/chat/sessions/:id', (req, res) => {
    const detail = sessions.get(req.params.id)?.detail;
    if (!detail) return void notFound(res);
    res.json(detail);
  });
  const unavailable = (res: express.Response) =>
    res.status(503).json({ error: { code: 'GENERIC_ERROR', message: 'Upstream overloaded', requestId: 'req_503' } });
  api.get('/api/v1/chat/sessions/:id/messages', (req, res) => {
    const messages = sessions.get(req.params.id)?.messages;
    if (!messages) return void notFound(res);
    const limit = Math.min(Number(req.query.limit ?? 50) || 50, pageSize);
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    if (dice() < (chaos.messagePages ?? 0)) return void failPage(res, injected.messagePages++);
    const failed = faults.messages > 0 && random() < faults.messages;
    pageRequests.push({ sessionId: req.params.id, page, status: failed ? 503 : 200 });
    if (failed) return void unavailable(res);
    res.json({
      data: messages.slice((page - 1) * limit, page * limit),
      pagination: { page, limit, total: messages.length, totalPages: Math.ceil(messages.length / limit) },
    });
  });
  // GET sessions (API.md 7.5): filtered by agentId, state and platform, newest first, paged with page and limit.
  api.get('/v1/chat/chat/sessions', (req, res) => {
    if (faults.sessionsListStatus !== 200) {
      const code = faults.sessionsListStatus === 403 ? 'FORBIDDEN' : 'GENERIC_ERROR';
      res.status(faults.sessionsListStatus).json({ error: { code, message: 'not now', requestId: 'req_list' } });
      return;
    }
    const query = req.query as Record<string, string | undefined>;
    const limit = Math.min(Math.max(1, Number(query.limit ?? 10) || 10), 100);
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    const matching = [...sessions.values()]
      .flatMap((s) => (s.detail && (listedFrom.get(String(s.detail.id)) ?? 0) <= Date.now() ? [s.detail] : []))
      .filter((d) => ['agentId', 'state', 'platform'].every((f) => query[f] === undefined || d[f] === query[f]))
      .reverse()
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    res.json({
      data: matching.slice((page - 1) * limit, page * limit),
      pagination: { page, limit, total: matching.length, totalPages: Math.ceil(matching.length / limit) },
    });
  });
  // POST calls/start (API.md 7.1): the call is "placed" on a 2xx; a hang receives the request and never answers.
  api.post('/api/v1/phone-numbers/:id/calls/start', express.json(), (req, res) => {
    const body = req.body as PlacedCallRecord['body'];
    const record: PlacedCallRecord = { phoneNumberId: req.params.id, body, at: Date.now() };
    calls.push(record);
    if (!body.to_phone_number) {
      return void res.status(422).json({ detail: [{ loc: ['body', 'to_phone_number'], msg: 'field required' }] });
    }
    const behaviour = callScript.shift() ?? { status: 200 };
    const ok = 'status' in behaviour && behaviour.status >= 200 && behaviour.status < 300;
    const session: ScriptedSession = {
      id: randomUUID(),
      variables: body.session_variables ?? {},
      messages: scriptedTranscript(),
      agentId: body.agent_id,
      customerPhoneNumber: body.to_phone_number,
    };
    // A placed call is a session on the platform at once: the session API and the sessions list show it.
    if (ok || behaviour.placed) {
      record.sessionId = session.id;
      if (behaviour.listedAfterMs) listedFrom.set(session.id, Date.now() + behaviour.listedAfterMs);
      const created = sessionCreatedEvent(session);
      serve(
        'untraceable' in behaviour && behaviour.untraceable ? withoutVariables(created) : created,
        session.messages,
      );
      if (ok && lagging.has(session.variables?.followUpOf ?? '')) {
        held.set(session.id, { session, created });
        record.status = behaviour.status;
        return void res.status(behaviour.status).json({ sessionId: session.id });
      }
    }
    if ('hang' in behaviour) return;
    record.status = behaviour.status;
    if (!ok && record.sessionId)
      log(`sandbox ← calls/start: answered ${behaviour.status}, but call ${session.id} rang`);
    if (!ok) {
      if (behaviour.retryAfter) res.setHeader('Retry-After', behaviour.retryAfter);
      res
        .status(behaviour.status)
        .json({ error: { code: 'CALL_FAILED', message: 'not placed', requestId: 'req_call' } });
      return;
    }
    let webhooksAfterMs = 500;
    if (nextCallAmbiguous()) {
      injected.callsStartAmbiguous++;
      record.status = 502;
      const late = chaos.ambiguousCallsLate;
      if (late) {
        listedFrom.set(session.id, Date.now() + late.listedAfterMs);
        webhooksAfterMs = late.webhooksAfterMs;
      }
      res.status(502).json({ error: { code: 'BAD_GATEWAY', message: 'upstream error', requestId: 'req_call' } });
    } else {
      res.status(behaviour.status).json({ sessionId: session.id });
    }
    if (!sendsWebhooks) return;
    log(`sandbox ← calls/start: follow-up call ${session.id} (attempt ${session.variables?.followUpAttempt ?? '?'})`);
    // The call rings and is answered: its own webhooks follow, like the platform's.
    setTimeout(() => {
      void open(session).then(() => setTimeout(() => void close(session, false), (options.callSeconds ?? 3) * 1000));
    }, webhooksAfterMs);
  });
  app.use(api);

  const listening = await listenOnLoopback(app, options.port);
  return {
    url: listening.url,
    sessions,
    requests,
    calls,
    callScript,
    pageRequests,
    faults,
    /** How many failures of each kind the chaos option injected. */
    injected,
    lagging,
    /** The platform catches up on a held call: its API shows it closed with its analysis, no callback asked. */
    answerHeld(sessionId: string): void {
      const call = held.get(sessionId);
      if (!call) throw new Error(`no held call ${sessionId}`);
      call.ended ??= sessionEndedEvent(call.session, { callbackRequested: false });
      serve(call.ended, call.session.messages);
    },
    /** Then the held call's own webhooks come, late: session.created and session.ended, as the API shows them. */
    async deliverHeld(sessionId: string): Promise<void> {
      const call = held.get(sessionId);
      if (!call) throw new Error(`no held call ${sessionId}`);
      call.ended ??= sessionEndedEvent(call.session, { callbackRequested: false });
      await deliver(call.created);
      await deliver(call.ended);
    },
    /** Calls that placed a call (a 2xx, or a failure scripted to have placed it anyway). */
    placed: () => calls.filter((c) => c.sessionId !== undefined),
    close: () => listening.close(),
  };
}

export type FakeAgntix = Awaited<ReturnType<typeof startFakeAgntix>>;

function withoutVariables(event: Record<string, unknown>): Record<string, unknown> {
  const metadata = { ...(event.metadata as Record<string, unknown> | undefined) };
  delete metadata.sessionVariables;
  return { ...event, metadata };
}

/** One injected transcript-page failure, cycling through the kinds a flaky API shows. */
function failPage(res: express.Response, n: number): void {
  const kind = n % 4;
  if (kind === 3) return void res.socket?.destroy();
  const status = kind === 0 ? 500 : kind === 1 ? 503 : 429;
  if (status === 429) res.setHeader('Retry-After', '1');
  res.status(status).json({ error: { code: 'UNAVAILABLE', message: 'try again', requestId: `req_fault_${n}` } });
}
