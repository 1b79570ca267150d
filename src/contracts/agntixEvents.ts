import { z } from 'zod';
import { sessionIdProblem } from './sessionIds';

/*
 * Schemas for every Agntix webhook event in the contract (shared/agntix/API.md section 4).
 * Readings chosen where the docs are silent or contradict themselves:
 * - Objects are loose: fields the platform adds later are kept, never a reason to reject.
 * - Only `id` and `eventType` are required on session events. The field list for session.ended omits fields its
 *   own example carries (type, platform, direction, agentId), so all of those are optional.
 * - Enums accept every vocabulary the docs use (webhooks say VOICE/CHAT and PHONE/WEB/WHATSAPP, the chat API says
 *   SDK/WEB/WHATSAPP/VOICE, the gateway spec says IDLE/ACTIVE/CLOSED). A value outside all of them is rejected with
 *   the field named, because it means the payload is not what we think it is.
 * - `analysis` and each of its parts may be missing (each is behind a toggle on the agent); a `null` reads as absent.
 */

const nullable = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const SessionType = z.enum(['VOICE', 'CHAT']);
export const Platform = z.enum(['PHONE', 'WEB', 'WHATSAPP', 'SDK', 'VOICE']);
export const Direction = z.enum(['INBOUND', 'OUTBOUND']);
export const SessionState = z.enum(['OPEN', 'CLOSED', 'EXPIRED', 'IDLE', 'ACTIVE']);

/** Session variables come back unchanged; the docs say strings, but do not promise other types survive. */
export const SessionVariables = z.record(z.string(), z.unknown());

export const SessionMetadata = z.looseObject({
  customerPhoneNumber: nullable(z.string()),
  roomName: nullable(z.string()),
  sessionVariables: SessionVariables.nullish().transform((v) => v ?? {}),
});

const IntentPart = z.looseObject({
  intent: nullable(z.string()),
  confidence: nullable(z.number()),
  explanation: nullable(z.string()),
});

export const Intent = z.looseObject({ conversation: nullable(IntentPart), message: nullable(IntentPart) });

export const Resolution = z.looseObject({
  classification: nullable(z.enum(['RESOLVED', 'PARTIALLY_RESOLVED', 'UNRESOLVED', 'NOT_APPLICABLE'])),
  confidenceScore: nullable(z.number()),
  /** Undefined by the docs beyond the one example value "Completed": any string. */
  status: nullable(z.string()),
  satisfiedChecklistItems: nullable(z.array(z.string())),
  evidence: nullable(z.array(z.string())),
  explanation: nullable(z.string()),
});

const SentimentPart = z.looseObject({
  sentiment: nullable(z.enum(['POSITIVE', 'NEUTRAL', 'NEGATIVE'])),
  score: nullable(z.number()),
  detectedLanguage: nullable(z.string()),
  explanation: nullable(z.string()),
});

export const Sentiment = z.looseObject({ conversation: nullable(SentimentPart), message: nullable(SentimentPart) });

export const Analysis = z.looseObject({
  summary: nullable(z.string()),
  intent: nullable(Intent),
  resolution: nullable(Resolution),
  sentiment: nullable(Sentiment),
  /** The agent's own Data Extraction schema: names and value types are the customer's, so any JSON value. */
  extractedData: nullable(z.record(z.string(), z.unknown())),
});

/**
 * The session id becomes the workflow id: only the documented shapes (sessionIds.ts), and never a follow-up's id.
 * Anything else is a 400 naming `id`, never a Temporal error and never a workflow id the service gives something else.
 */
const SessionId = z.string().superRefine((id, ctx) => {
  const problem = sessionIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const sessionFields = {
  id: SessionId,
  type: nullable(SessionType),
  platform: nullable(Platform),
  direction: nullable(Direction),
  state: nullable(SessionState),
  agentId: nullable(z.string()),
  createdAt: nullable(z.string()),
  updatedAt: nullable(z.string()),
  metadata: SessionMetadata.nullish().transform(
    (v): z.infer<typeof SessionMetadata> =>
      v ?? { customerPhoneNumber: undefined, roomName: undefined, sessionVariables: {} },
  ),
};

export const SessionCreated = z.looseObject({ ...sessionFields, eventType: z.literal('session.created') });

export const SessionEnded = z.looseObject({
  ...sessionFields,
  eventType: z.literal('session.ended'),
  lastActivityAt: nullable(z.string()),
  endedAt: nullable(z.string()),
  analysis: nullable(Analysis),
  recordingUrl: nullable(z.string()),
});

/** Planned events: described by the docs, not delivered today. Validated so a change in shape is seen in logs. */
export const SessionUpdated = z.looseObject({
  id: z.string().min(1),
  eventType: z.literal('session.updated'),
  createdAt: nullable(z.string()),
  changedFields: nullable(z.array(z.string())),
  state: nullable(SessionState),
});

const nestedEnvelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.looseObject({ id: z.string().min(1), type: z.literal(type), createdAt: nullable(z.string()), data });

export const MessageAdded = nestedEnvelope(
  'message.added',
  z.looseObject({
    sessionId: z.string().min(1),
    messageId: z.string().min(1),
    role: z.enum(['USER', 'ASSISTANT', 'TOOL', 'SYSTEM']),
    content: nullable(z.string()),
    toolCall: nullable(z.record(z.string(), z.unknown())),
  }),
);

export const UsageUpdated = nestedEnvelope(
  'usage.updated',
  z.looseObject({
    period: nullable(z.looseObject({ start: z.string(), end: z.string() })),
    metrics: nullable(
      z.looseObject({ chat_messages: z.number(), voice_seconds: z.number(), knowledge_chunks: z.number() }).partial(),
    ),
  }),
);

export const SubscriptionUpdated = nestedEnvelope(
  'subscription.updated',
  z.looseObject({
    subscriptionId: z.string().min(1),
    status: z.enum(['active', 'past_due', 'canceled', 'paused']),
    currentPlan: nullable(z.unknown()),
  }),
);

export const KnowledgeStoreUpdated = nestedEnvelope(
  'knowledge_store.updated',
  z.looseObject({
    knowledgeStoreId: z.string().min(1),
    documentId: z.string().min(1),
    status: z.enum(['UPSERTED', 'FAILED']),
  }),
);

export type SessionCreatedEvent = z.infer<typeof SessionCreated>;
export type SessionEndedEvent = z.infer<typeof SessionEnded>;
export type SessionEvent = SessionCreatedEvent | SessionEndedEvent;
export type AnalysisData = z.infer<typeof Analysis>;

/** Events that drive a session workflow. */
export const deliveredEventSchemas = { 'session.created': SessionCreated, 'session.ended': SessionEnded } as const;

/** Events the docs plan; accepted and ignored so that subscribing to them never breaks delivery. */
export const plannedEventSchemas = {
  'session.updated': SessionUpdated,
  'message.added': MessageAdded,
  'usage.updated': UsageUpdated,
  'subscription.updated': SubscriptionUpdated,
  'knowledge_store.updated': KnowledgeStoreUpdated,
} as const;

/**
 * The event's name. Session events carry it in `eventType` (their `type` is VOICE/CHAT); the planned nested
 * envelopes carry it in `type`. `eventType` wins when both are present.
 */
export function eventNameOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { eventType, type } = body as { eventType?: unknown; type?: unknown };
  if (typeof eventType === 'string') return eventType;
  return typeof type === 'string' && type.includes('.') ? type : undefined;
}
