import { ASSOCIATION_TYPE, defaultProperties } from './fakeHubspotProperties';

/*
 * The data behind the local HubSpot stand-in (fakeHubspot.ts): records, property definitions and associations,
 * with the rules HubSpot documents and the sink relies on: unknown properties and bad enum values are refused,
 * idProperty must be a unique property, unique values are enforced across records, a call or task needs
 * hs_timestamp, and search sees a record only after an indexing delay.
 */

export type ObjectType = 'contacts' | 'calls' | 'tasks';
export const OBJECT_TYPES: ObjectType[] = ['contacts', 'calls', 'tasks'];

export interface PropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  hasUniqueValue: boolean;
  hubspotDefined?: boolean;
  options: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
}

export interface StoredRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** When search starts to see it: HubSpot indexes new and changed records after a few seconds. */
  searchableAt: number;
}

/** A refusal, shaped as HubSpot answers it. */
export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const correlationId = () =>
  '00000000-0000-4000-8000-'.concat(String(Math.floor(Math.random() * 1e12)).padStart(12, '0'));

export const errorBody = (category: string, message: string, extra: Record<string, unknown> = {}) => ({
  status: 'error',
  message,
  correlationId: correlationId(),
  category,
  ...extra,
});

function invalid(problems: Array<{ name: string; error: string; message: string }>): HubSpotError {
  const list = problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name }));
  return new HubSpotError(
    400,
    errorBody('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(list)}`),
  );
}

const READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_createdate', 'hs_lastmodifieddate']);

export class FakeHubSpotStore {
  readonly properties = defaultProperties();
  readonly groups: Record<ObjectType, Map<string, { name: string; label: string; displayOrder: number }>> = {
    contacts: new Map(),
    calls: new Map(),
    tasks: new Map(),
  };
  readonly records: Record<ObjectType, Map<string, StoredRecord>> = {
    contacts: new Map(),
    calls: new Map(),
    tasks: new Map(),
  };
  /** "calls:12→contacts:3" keys, both directions stored as HubSpot shows them from either side. */
  readonly associations = new Set<string>();
  private nextId = 1001;

  constructor(private readonly searchLagMs: number) {}

  /** A record by its record id, or by the value of a unique property. */
  find(type: ObjectType, id: string, idProperty?: string): StoredRecord | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.records[type].get(id);
    this.uniqueProperty(type, idProperty);
    return [...this.records[type].values()].find((r) => r.properties[idProperty] === id);
  }

  /** The batch upsert of one input: update the record holding `id` in `idProperty`, or create it. */
  upsert(type: ObjectType, input: { idProperty?: string; id: string; properties: Record<string, string> }) {
    const idProperty = input.idProperty ?? 'hs_object_id';
    this.uniqueProperty(type, idProperty);
    const existing = this.find(type, input.id, idProperty);
    if (existing) return { record: this.write(type, existing, input.properties), isNew: false };
    if (idProperty === 'hs_object_id') {
      throw new HubSpotError(404, errorBody('OBJECT_NOT_FOUND', 'resource not found'));
    }
    return { record: this.create(type, { ...input.properties, [idProperty]: input.id }), isNew: true };
  }

  create(type: ObjectType, properties: Record<string, string>): StoredRecord {
    this.validate(type, properties);
    if ((type === 'calls' || type === 'tasks') && !properties.hs_timestamp) {
      throw invalid([{ name: 'hs_timestamp', error: 'REQUIRED_FIELD', message: 'hs_timestamp is required' }]);
    }
    const id = String(this.nextId++);
    const now = new Date().toISOString();
    const record: StoredRecord = { id, properties: {}, createdAt: now, updatedAt: now, searchableAt: 0 };
    this.checkUnique(type, properties, undefined);
    this.records[type].set(id, record);
    return this.apply(type, record, { ...properties });
  }

  /** PATCH and the update half of an upsert; an empty string clears a property, as in HubSpot. */
  write(type: ObjectType, record: StoredRecord, properties: Record<string, string>): StoredRecord {
    this.validate(type, properties);
    this.checkUnique(type, properties, record.id);
    return this.apply(type, record, properties);
  }

  search(
    type: ObjectType,
    filterGroups: Array<{ filters?: Array<{ propertyName: string; operator: string; value?: string }> }>,
  ) {
    const now = Date.now();
    return [...this.records[type].values()].filter(
      (r) =>
        r.searchableAt <= now &&
        (filterGroups.length === 0 ||
          filterGroups.some((g) =>
            (g.filters ?? []).every((f) =>
              f.operator === 'EQ'
                ? (r.properties[f.propertyName] ?? '').toLowerCase() === (f.value ?? '').toLowerCase()
                : f.operator === 'HAS_PROPERTY'
                  ? Boolean(r.properties[f.propertyName])
                  : false,
            ),
          )),
    );
  }

  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): number {
    const typeId = ASSOCIATION_TYPE[`${fromType}→${toType}`];
    if (!typeId)
      throw new HubSpotError(400, errorBody('VALIDATION_ERROR', `no default association ${fromType}→${toType}`));
    if (!this.records[fromType].has(fromId) || !this.records[toType].has(toId)) {
      throw new HubSpotError(404, errorBody('OBJECT_NOT_FOUND', 'One or more objects were not found'));
    }
    this.associations.add(`${fromType}:${fromId}→${toType}:${toId}`);
    this.associations.add(`${toType}:${toId}→${fromType}:${fromId}`);
    return typeId;
  }

  /** DELETE (archive): the record leaves every view, with its associations; HubSpot's recycling bin is not played. */
  archive(type: ObjectType, id: string): void {
    this.records[type].delete(id);
    for (const a of [...this.associations]) {
      if (a.startsWith(`${type}:${id}→`) || a.endsWith(`→${type}:${id}`)) this.associations.delete(a);
    }
  }

  /** Ids of the records of `toType` associated with one record. */
  associated(fromType: ObjectType, fromId: string, toType: ObjectType): string[] {
    const prefix = `${fromType}:${fromId}→${toType}:`;
    return [...this.associations].filter((a) => a.startsWith(prefix)).map((a) => a.slice(prefix.length));
  }

  private apply(type: ObjectType, record: StoredRecord, properties: Record<string, string>): StoredRecord {
    for (const [name, value] of Object.entries(properties)) {
      if (value === '') delete record.properties[name];
      else record.properties[name] = value;
    }
    const now = new Date().toISOString();
    record.updatedAt = now;
    record.searchableAt = Date.now() + this.searchLagMs;
    record.properties.hs_object_id = record.id;
    const [created, modified] =
      type === 'contacts' ? ['createdate', 'lastmodifieddate'] : ['hs_createdate', 'hs_lastmodifieddate'];
    record.properties[created] ??= record.createdAt;
    record.properties[modified] = now;
    return record;
  }

  private uniqueProperty(type: ObjectType, name: string) {
    const def = this.properties[type].get(name);
    if (!def) throw invalid([{ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` }]);
    if (!def.hasUniqueValue) {
      throw new HubSpotError(
        400,
        errorBody('VALIDATION_ERROR', `${name} is not a unique identifier property`, {
          errors: [{ message: 'idProperty must be a unique property', context: { propertyName: [name] } }],
        }),
      );
    }
  }

  private validate(type: ObjectType, properties: Record<string, string>) {
    const problems: Array<{ name: string; error: string; message: string }> = [];
    for (const [name, value] of Object.entries(properties)) {
      const def = this.properties[type].get(name);
      if (!def) problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      else if (READ_ONLY.has(name)) {
        problems.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property` });
      } else if (value === '') continue;
      else if (def.type === 'enumeration' && !def.options.some((o) => o.value === value)) {
        problems.push({ name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options` });
      } else if (def.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) {
        problems.push({ name, error: 'INVALID_INTEGER', message: `${value} was not a valid number` });
      } else if (def.type === 'datetime' && !/^\d+$/.test(value) && Number.isNaN(Date.parse(value))) {
        problems.push({ name, error: 'INVALID_DATE', message: `${value} was not a valid date` });
      }
    }
    if (problems.length > 0) throw invalid(problems);
  }

  private checkUnique(type: ObjectType, properties: Record<string, string>, ownId: string | undefined) {
    for (const [name, value] of Object.entries(properties)) {
      if (!value || !this.properties[type].get(name)?.hasUniqueValue) continue;
      const holder = [...this.records[type].values()].find((r) => r.id !== ownId && r.properties[name] === value);
      if (holder) {
        throw new HubSpotError(
          409,
          errorBody(
            'CONFLICT',
            `A ${type.slice(0, -1)} with the ${name} "${value}" already exists. Existing ID: ${holder.id}`,
          ),
        );
      }
    }
  }
}
