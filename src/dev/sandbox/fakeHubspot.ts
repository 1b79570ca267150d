import express, { type NextFunction, type Request, type Response } from 'express';
import { listenOnLoopback } from './loopbackServer';
import { ALL_SCOPES, gate, type Fault, type LoggedRequest } from './fakeHubspotGate';
import {
  FakeHubSpotStore,
  HubSpotError,
  OBJECT_TYPES,
  errorBody,
  type ObjectType,
  type PropertyDefinition,
  type StoredRecord,
} from './fakeHubspotStore';

/*
 * A local stand-in for HubSpot, so the HubSpot sink runs in tests and in the sandbox demo with no account. It
 * serves exactly the documented endpoints the sink, `npm run hubspot:setup` and `npm run forget` call, through the
 * official client: CRM objects v3 (read by id or unique property, update, archive, batch read and upsert by
 * idProperty, search), associations v4
 * (default association), and the properties v3 API. Bearer tokens carry scopes; faults (429 with Retry-After, 5xx,
 * a write that lands but answers 5xx, a request that never answers) can be scripted per route.
 */

export const SANDBOX_HUBSPOT_TOKEN = 'pat-sandbox-local';
export const SANDBOX_HUBSPOT_PORT = 3101;

export { ALL_SCOPES, type Fault, type LoggedRequest };

export interface FakeHubSpotOptions {
  port?: number;
  /** token → scopes granted. */
  tokens?: Record<string, string[]>;
  /** How long search takes to see a new or changed record (HubSpot: a few seconds). */
  searchLagMs?: number;
}

const requested = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : [])
    .flatMap((v) => String(v).split(','))
    .filter(Boolean);

function view(record: StoredRecord, properties?: string[]) {
  const wanted = properties && properties.length > 0 ? properties : Object.keys(record.properties);
  const shown: Record<string, string | null> = {};
  for (const name of new Set([...wanted, 'hs_object_id'])) shown[name] = record.properties[name] ?? null;
  return {
    id: record.id,
    properties: shown,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: false,
  };
}

const propertyView = (p: PropertyDefinition) => ({ ...p, formField: false, hidden: false, displayOrder: -1 });

export async function startFakeHubSpot(options: FakeHubSpotOptions = {}) {
  const store = new FakeHubSpotStore(options.searchLagMs ?? 1000);
  const tokens = new Map(Object.entries(options.tokens ?? { [SANDBOX_HUBSPOT_TOKEN]: ALL_SCOPES }));
  const faults: Fault[] = [];
  const requests: LoggedRequest[] = [];
  const app = express();
  app.use(express.json({ limit: '1mb' }));

  app.use(gate(tokens, faults, requests));

  const objectType = (value: unknown): ObjectType => {
    if (typeof value === 'string' && OBJECT_TYPES.includes(value as ObjectType)) return value as ObjectType;
    throw new HubSpotError(400, errorBody('VALIDATION_ERROR', 'Unable to infer object type'));
  };
  const typeOf = (req: Request) => objectType(req.params.type ?? req.params.fromType);
  const otherTypeOf = (req: Request) => objectType(req.params.toType);
  const notFound = () => new HubSpotError(404, errorBody('OBJECT_NOT_FOUND', 'resource not found'));

  // CRM objects v3.
  app.get('/crm/v3/objects/:type/:id', (req, res) => {
    const type = typeOf(req);
    const record = store.find(type, req.params.id, (req.query.idProperty as string | undefined) || undefined);
    if (!record) throw notFound();
    res.json(view(record, requested(req.query.properties)));
  });
  app.patch('/crm/v3/objects/:type/:id', (req, res) => {
    const type = typeOf(req);
    const record = store.find(type, req.params.id, (req.query.idProperty as string | undefined) || undefined);
    if (!record) throw notFound();
    const body = req.body as { properties?: Record<string, string> };
    res.json(view(store.write(type, record, body.properties ?? {})));
  });
  app.post('/crm/v3/objects/:type/batch/upsert', (req, res) => {
    const type = typeOf(req);
    const startedAt = new Date().toISOString();
    const inputs = (
      req.body as { inputs?: Array<{ idProperty?: string; id: string; properties: Record<string, string> }> }
    ).inputs;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > 100) {
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', 'inputs must hold 1 to 100 items'));
    }
    const results = inputs.map((input) => {
      const { record, isNew } = store.upsert(type, input);
      return { ...view(record), new: isNew };
    });
    res.json({ status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() });
  });
  app.delete('/crm/v3/objects/:type/:id', (req, res) => {
    store.archive(typeOf(req), req.params.id);
    res.status(204).end();
  });
  app.post('/crm/v3/objects/:type/batch/read', (req, res) => {
    const type = typeOf(req);
    const body = req.body as { idProperty?: string; inputs?: Array<{ id: string }>; properties?: string[] };
    const inputs = body.inputs ?? [];
    if (inputs.length === 0 || inputs.length > 100) {
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', 'inputs must hold 1 to 100 items'));
    }
    const found = inputs.map((input) => ({ id: input.id, record: store.find(type, input.id, body.idProperty) }));
    const missing = found.filter((f) => !f.record).map((f) => f.id);
    const results = found.flatMap((f) => (f.record ? [view(f.record, body.properties)] : []));
    const errors = missing.length
      ? [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some objects',
            context: { ids: missing },
          },
        ]
      : undefined;
    const now = new Date().toISOString();
    res.status(errors ? 207 : 200).json({
      status: 'COMPLETE',
      results,
      ...(errors ? { errors, numErrors: errors.length } : {}),
      startedAt: now,
      completedAt: now,
    });
  });
  app.post('/crm/v3/objects/:type/search', (req, res) => {
    const type = typeOf(req);
    const body = req.body as {
      filterGroups?: Parameters<FakeHubSpotStore['search']>[1];
      properties?: string[];
      limit?: number;
    };
    if ((body.filterGroups?.length ?? 0) > 5) {
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', 'There can be at most 5 filterGroups'));
    }
    const found = store.search(type, body.filterGroups ?? []);
    const limit = Math.min(Math.max(body.limit ?? 10, 1), 200);
    res.json({ total: found.length, results: found.slice(0, limit).map((r) => view(r, body.properties)) });
  });

  // Associations v4.
  app.put('/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId', (req, res) => {
    const from = typeOf(req);
    const to = otherTypeOf(req);
    const typeId = store.associate(from, req.params.fromId, to, req.params.toId);
    const spec = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId };
    res.json({
      status: 'COMPLETE',
      results: [{ from: { id: req.params.fromId }, to: { id: req.params.toId }, associationSpec: spec }],
      startedAt: new Date().toISOString(),
      completedAt: new Date().toISOString(),
    });
  });
  app.get('/crm/v4/objects/:type/:id/associations/:toType', (req, res) => {
    const ids = store.associated(typeOf(req), req.params.id, otherTypeOf(req));
    res.json({
      results: ids.map((id) => ({
        toObjectId: Number(id),
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 0, label: null }],
      })),
    });
  });

  // Properties v3.
  app.get('/crm/v3/properties/:type', (req, res) => {
    res.json({ results: [...store.properties[typeOf(req)].values()].map(propertyView) });
  });
  app.post('/crm/v3/properties/:type', (req, res) => {
    const type = typeOf(req);
    const body = req.body as Partial<PropertyDefinition>;
    if (
      !body.name ||
      !/^[a-z][a-z0-9_]*$/.test(body.name) ||
      !body.label ||
      !body.type ||
      !body.fieldType ||
      !body.groupName
    ) {
      throw new HubSpotError(
        400,
        errorBody('VALIDATION_ERROR', 'name, label, type, fieldType and groupName are required'),
      );
    }
    if (store.properties[type].has(body.name)) {
      throw new HubSpotError(
        409,
        errorBody('OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`),
      );
    }
    if (!store.groups[type].has(body.groupName)) {
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', `property group ${body.groupName} does not exist`));
    }
    const property: PropertyDefinition = {
      name: body.name,
      label: body.label,
      type: body.type,
      fieldType: body.fieldType,
      groupName: body.groupName,
      description: body.description ?? '',
      hasUniqueValue: body.hasUniqueValue ?? false,
      options: body.options ?? [],
    };
    store.properties[type].set(property.name, property);
    res.status(201).json(propertyView(property));
  });
  app.get('/crm/v3/properties/:type/groups', (req, res) => {
    res.json({ results: [...store.groups[typeOf(req)].values()].map((g) => ({ ...g, archived: false })) });
  });
  app.post('/crm/v3/properties/:type/groups', (req, res) => {
    const type = typeOf(req);
    const body = req.body as { name?: string; label?: string; displayOrder?: number };
    if (!body.name || !body.label)
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', 'name and label are required'));
    if (store.groups[type].has(body.name)) {
      throw new HubSpotError(409, errorBody('OBJECT_ALREADY_EXISTS', `A group named '${body.name}' already exists.`));
    }
    const group = { name: body.name, label: body.label, displayOrder: body.displayOrder ?? -1 };
    store.groups[type].set(group.name, group);
    res.status(201).json({ ...group, archived: false });
  });

  app.use((_req, res) => void res.status(404).json(errorBody('NOT_FOUND', 'no such endpoint in the HubSpot stand-in')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HubSpotError) return void res.status(err.status).json(err.body);
    res.status(500).json(errorBody('INTERNAL_ERROR', err instanceof Error ? err.message : 'error'));
  });

  const { url, close } = await listenOnLoopback(app, options.port);
  return {
    url,
    store,
    faults,
    requests,
    /** What a HubSpot user sees: the records of one type, with their properties. */
    all: (type: ObjectType) => [...store.records[type].values()],
    /** Requests to one route ("POST /crm/v3/objects/calls/batch/upsert"). */
    requestsTo: (route: string) => requests.filter((r) => `${r.method} ${r.path}` === route),
    close,
  };
}

export type FakeHubSpot = Awaited<ReturnType<typeof startFakeHubSpot>>;
