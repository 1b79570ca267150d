import { ApplicationFailure } from '@temporalio/activity';

/*
 * The one way this service calls out over HTTP: the Agntix API, calls/start, the outcome webhook and the engineers'
 * activities. Redirects are never followed: a 307 from a receiver would resend the signed body, and one from the
 * Agntix API would carry x-api-key to another host. The response body is read up to a cap, so a peer cannot fill the
 * worker's memory. In production every *_URL setting must be https (checked at start-up, src/config/).
 */

export interface OutboundRequest {
  /** Names the peer in failure messages, e.g. "calls/start". Never a URL with a query, never payload data. */
  peer: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Bytes of the response body read at most; the rest is dropped and `truncated` is set. */
  maxResponseBytes: number;
  /** The (non-retryable) failure type of a redirect, in the caller's own terms; `RedirectRefused` by default. */
  redirectFailureType?: string;
}

export interface OutboundResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body as text, up to the cap. */
  body: string;
  /** The body was longer than the cap. */
  truncated: boolean;
}

/** Sends one request without following redirects; a 3xx answer is a non-retryable failure naming only its status. */
export async function outboundFetch(url: string, request: OutboundRequest): Promise<OutboundResponse> {
  const res = await fetch(url, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw ApplicationFailure.nonRetryable(
      `${request.peer} answered ${res.status} (a redirect, not followed)`,
      request.redirectFailureType ?? 'RedirectRefused',
    );
  }
  const { text, truncated } = await readCapped(res, request.maxResponseBytes);
  return { status: res.status, ok: res.ok, headers: res.headers, body: text, truncated };
}

async function readCapped(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: '', truncated: false };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * The documented error code and request id of an error answer (API.md 9: `error.code`, `error.requestId` or
 * `meta.requestId`), as " (CODE, requestId req_…)", when they have their documented shape. Nothing else of an
 * upstream answer goes into a failure message: its text can hold a phone number or a name.
 */
export function errorReference(res: OutboundResponse): string {
  if (res.truncated) return '';
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return '';
  }
  const b = body as { error?: { code?: unknown; requestId?: unknown }; meta?: { requestId?: unknown } } | undefined;
  const code = b?.error?.code;
  const requestId = b?.error?.requestId ?? b?.meta?.requestId;
  const parts = [
    typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined,
    typeof requestId === 'string' && REQUEST_ID.test(requestId) ? `requestId ${requestId}` : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
