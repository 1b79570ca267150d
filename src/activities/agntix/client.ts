import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { TranscriptMessage as Message } from '../../contracts/transcripts';
import { Analysis, SessionMetadata, SessionState } from '../../contracts/agntixEvents';
import { FAILURE } from '../../contracts/failures';
import { httpFailure } from '../httpStatus';
import { errorReference, outboundFetch } from '../outboundFetch';

/*
 * The Agntix REST client. Every response is validated with zod; every call has a timeout. Failed answers are
 * classified for Temporal's retry policy by ../httpStatus.ts (API.md section 9); network failures are retried. The
 * paths come from configuration because the docs use two path families (API.md section 0).
 */

export interface AgntixPaths {
  /** e.g. /api/v1/chat/sessions/{id} */
  session: string;
  /** e.g. /api/v1/chat/sessions/{id}/messages */
  messages: string;
  /** The sessions list (API.md 7.5). */
  sessions: string;
}

export interface AgntixClientOptions {
  baseUrl: string;
  apiKey: string;
  paths: AgntixPaths;
  timeoutMs: number;
}

/**
 * GET session. The documented path nests the analysis under `analysis`; the gateway's canonical path returns the
 * same parts flat at the top level (API.md 7.2). Both are validated with the webhook's schemas and folded into
 * `analysis`, so callers see one shape.
 */
export const SessionDetail = z
  .looseObject({
    id: z.string(),
    state: SessionState.nullish(),
    endedAt: z.string().nullish(),
    metadata: SessionMetadata.nullish(),
    analysis: Analysis.nullish(),
    summary: Analysis.shape.summary,
    intent: Analysis.shape.intent,
    resolution: Analysis.shape.resolution,
    sentiment: Analysis.shape.sentiment,
    extractedData: Analysis.shape.extractedData,
    recordingUrl: z.string().nullish(),
  })
  .transform(({ summary, intent, resolution, sentiment, extractedData, ...detail }) => ({
    ...detail,
    analysis: detail.analysis ?? { summary, intent, resolution, sentiment, extractedData },
  }));
export type SessionDetail = z.infer<typeof SessionDetail>;

export const TranscriptMessage = z.looseObject({
  id: z.string(),
  role: z.string(),
  content: z.string().nullish(),
  createdAt: z.string().nullish(),
}) satisfies z.ZodType<Message>;
export type TranscriptMessage = Message;

const Paging = z.looseObject({ page: z.number().optional(), totalPages: z.number().optional() });
export const MessagesPage = z.looseObject({
  data: z.array(TranscriptMessage),
  // Documented as `pagination`; the gateway spec uses `meta` with `currentPage` (API.md 7.3). Read either.
  pagination: Paging.nullish(),
  meta: z.looseObject({ currentPage: z.number().optional(), totalPages: z.number().optional() }).nullish(),
});

/** One session of the sessions list, as far as reconciling a dial needs it. */
export const SessionListItem = z.looseObject({
  id: z.string(),
  type: z.string().nullish(),
  direction: z.string().nullish(),
  agentId: z.string().nullish(),
  createdAt: z.string().nullish(),
  metadata: z.looseObject({ sessionVariables: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});
export type SessionListItem = z.infer<typeof SessionListItem>;

export const SessionsPage = z.looseObject({
  data: z.array(SessionListItem),
  pagination: Paging.nullish(),
  meta: z.looseObject({ currentPage: z.number().optional(), totalPages: z.number().optional() }).nullish(),
});

/** A transcript page of 100 long turns fits many times over; an answer past this is not one we can use. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function createAgntixClient(options: AgntixClientOptions) {
  async function get<T>(pathTemplate: string, id: string, schema: z.ZodType<T, unknown>, query = ''): Promise<T> {
    const url = `${options.baseUrl.replace(/\/$/, '')}${pathTemplate.replace('{id}', encodeURIComponent(id))}${query}`;
    const what = `GET ${pathTemplate.replace('{id}', id)}`;
    let res;
    try {
      res = await outboundFetch(url, {
        peer: `Agntix API (${what})`,
        headers: { 'x-api-key': options.apiKey, accept: 'application/json' },
        timeoutMs: options.timeoutMs,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        redirectFailureType: 'AgntixRejected',
      });
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      const reason = typeof code === 'string' ? code : (err as Error).name;
      throw ApplicationFailure.retryable(`Agntix API unreachable (${reason}) for ${what}`, FAILURE.agntixUnavailable);
    }
    if (!res.ok) {
      throw httpFailure(`Agntix API ${res.status} for ${what}${errorReference(res)}`, res, {
        retry: FAILURE.agntixRetryable,
        final: res.status === 404 ? FAILURE.agntixNotFound : FAILURE.agntixRejected,
      });
    }
    if (res.truncated) {
      throw ApplicationFailure.nonRetryable(
        `Agntix API answered more than ${MAX_RESPONSE_BYTES} bytes for ${what}`,
        FAILURE.agntixUnexpectedResponse,
      );
    }
    let body: unknown;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      body = undefined;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw ApplicationFailure.nonRetryable(
        `Agntix API answered an unexpected shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        FAILURE.agntixUnexpectedResponse,
      );
    }
    return parsed.data;
  }

  return {
    getSession: (id: string) => get(options.paths.session, id, SessionDetail),
    getMessagesPage: (id: string, page: number, limit: number) =>
      get(options.paths.messages, id, MessagesPage, `?page=${page}&limit=${limit}`),
    /** One page of an agent's sessions, newest first (API.md 7.5). */
    listSessions: (query: { agentId: string; page: number; limit: number }) =>
      get(
        options.paths.sessions,
        '',
        SessionsPage,
        `?${new URLSearchParams({ agentId: query.agentId, page: String(query.page), limit: String(query.limit) }).toString()}`,
      ),
  };
}

export type AgntixClient = ReturnType<typeof createAgntixClient>;
