import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './fakeHubspotStore';

/*
 * The local HubSpot stand-in's front door: bearer tokens and the scopes they carry, HubSpot's rate-limit headers
 * on every answer, and the faults a test scripts per route.
 */

/** Every scope the sink and its setup use. */
export const ALL_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
];

export interface Fault {
  /** e.g. "POST /crm/v3/objects/calls/batch/upsert"; matched against the request's method and path. */
  route: string;
  /** How many matching requests it affects. */
  times: number;
  status?: number;
  headers?: Record<string, string>;
  /** Apply the write, then answer with the fault: the caller cannot know that it landed. */
  afterWrite?: boolean;
  /** Never answer. */
  hang?: boolean;
  /** Apply the request this many ms late and answer it normally: a slow HubSpot (no status needed). */
  delayMs?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  at: number;
  status?: number;
}

const scopeOf = (req: Request): string => {
  const write = req.method !== 'GET' && !req.path.endsWith('/search') && !req.path.endsWith('/batch/read');
  const kind = req.path.startsWith('/crm/v3/properties') ? 'schemas' : 'objects';
  return `crm.${kind}.contacts.${write ? 'write' : 'read'}`;
};

/** Checks the token and its scope, then plays a scripted fault if one matches the request. */
export function gate(tokens: Map<string, string[]>, faults: Fault[], requests: LoggedRequest[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const entry: LoggedRequest = { method: req.method, path: req.path, at: Date.now() };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    // HubSpot puts its rate-limit state on every answer.
    res.set({
      'X-HubSpot-RateLimit-Daily': '250000',
      'X-HubSpot-RateLimit-Daily-Remaining': '249000',
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': '100',
      'X-HubSpot-RateLimit-Remaining': '99',
    });
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const scopes = token === undefined ? undefined : tokens.get(token);
    if (!scopes) {
      res
        .status(401)
        .json(
          errorBody(
            'INVALID_AUTHENTICATION',
            'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          ),
        );
      return;
    }
    const needed = scopeOf(req);
    if (!scopes.includes(needed)) {
      res.status(403).json(
        errorBody(
          'MISSING_SCOPES',
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
          {
            errors: [
              {
                message: 'One or more of the following scopes are required.',
                context: { requiredGranularScopes: [needed] },
              },
            ],
          },
        ),
      );
      return;
    }
    const fault = faults.find((f) => f.times > 0 && f.route === `${req.method} ${req.path}`);
    if (!fault) return next();
    fault.times -= 1;
    if (fault.hang) return;
    if (fault.delayMs !== undefined && fault.status === undefined) {
      setTimeout(next, fault.delayMs);
      return;
    }
    const status = fault.status ?? 500;
    const body =
      status === 429
        ? {
            ...errorBody('RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.'),
            errorType: 'RATE_LIMIT',
            policyName: 'TEN_SECONDLY_ROLLING',
          }
        : errorBody('INTERNAL_ERROR', 'internal error');
    if (!fault.afterWrite) {
      res
        .status(status)
        .set(fault.headers ?? {})
        .json(body);
      return;
    }
    const send = res.json.bind(res);
    res.json = () => send.call(res.status(status).set(fault.headers ?? {}), body);
    next();
  };
}
