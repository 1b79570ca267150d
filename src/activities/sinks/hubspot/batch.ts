/** An error HubSpot reports for one input of a batch (a 207 answer), shaped like the client's ApiException. */
export class HubSpotItemError extends Error {
  override name = 'HubSpotItemError';
  readonly headers: Record<string, string> = {};
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super('HubSpot refused a batch input');
  }
}

/** HTTP statuses for the categories HubSpot puts on a batch input's error. */
const STATUS_OF_CATEGORY: Record<string, number> = {
  VALIDATION_ERROR: 400,
  OBJECT_NOT_FOUND: 404,
  CONFLICT: 409,
  OBJECT_ALREADY_EXISTS: 409,
  RATE_LIMITS: 429,
  MISSING_SCOPES: 403,
};

/** The one record a single-input batch wrote, or its error thrown as the ApiException it stands for. */
export function onlyResult<T extends { id: string }>(response: {
  results: T[];
  errors?: Array<{ category: string }>;
}): T {
  const error = response.errors?.[0];
  if (error) throw new HubSpotItemError(STATUS_OF_CATEGORY[error.category] ?? 500, error);
  const result = response.results[0];
  if (!result) throw new HubSpotItemError(500, { category: 'EMPTY_BATCH_RESPONSE' });
  return result;
}

/** True for a 404 from the client: the record is not there (a lookup's answer, not a failure). */
export const isNotFound = (err: unknown) => (err as { code?: unknown } | null)?.code === 404;
