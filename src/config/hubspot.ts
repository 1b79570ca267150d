import { z } from 'zod';
import type { ContactFact } from '../activities/sinks/crm/port';
import { DEFAULT_DISPOSITIONS } from '../activities/sinks/hubspot/mapping';
import { crmContactFields } from './crm';
import { optionalText, splitItems, splitList } from './fields';

/*
 * The HubSpot sink's settings: environment variables, parsed once at start-up. Spread `hubspotConfigFields` into
 * the service's ConfigSchema; `hubspotSettingsFrom` turns the parsed values into what the sink takes.
 */

const PROPERTY = /^[a-z][a-z0-9_]*$/;
const propertyName = z.string().trim().regex(PROPERTY, 'must be a HubSpot internal property name like my_property');

/** "phone,mobilephone" */
const PropertyList = z.string().transform((text, ctx) => {
  const names = splitList(text);
  for (const name of names.filter((n) => !PROPERTY.test(n))) {
    ctx.addIssue({ code: 'custom', message: `"${name}" is not a HubSpot internal property name` });
  }
  return names;
});

const FACTS: ContactFact[] = ['lastCallOutcome', 'lastCallAt', 'callbackDueAt'];

/** "lastCallOutcome=agntix_last_call_outcome,lastCallAt=agntix_last_call_at"; empty writes none. */
const FactProperties = z.string().transform((text, ctx) => {
  const out: Partial<Record<ContactFact, string>> = {};
  for (const item of splitItems(text)) {
    const [fact, property] = item.split('=').map((s) => s.trim());
    if (!FACTS.includes(fact as ContactFact) || !property || !PROPERTY.test(property)) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not fact=property with a fact in ${FACTS.join(', ')}` });
      continue;
    }
    out[fact as ContactFact] = property;
  }
  return out;
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "EXPIRED=No answer,Wrong number=Wrong number,*=Connected": outcome → disposition label or id; * for the rest. */
const Dispositions = z.string().transform((text, ctx) => {
  const byOutcome: Record<string, string> = {};
  for (const item of splitItems(text)) {
    const [outcome, target] = item.split('=').map((s) => s.trim());
    const id = target && (GUID.test(target) ? target : DEFAULT_DISPOSITIONS[target.toLowerCase()]);
    if (!outcome || !id) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}" is not outcome=disposition, the disposition an id or one of ${Object.keys(DEFAULT_DISPOSITIONS).join(', ')}`,
      });
      continue;
    }
    byOutcome[outcome.toLowerCase()] = id.toLowerCase();
  }
  return byOutcome;
});

export const hubspotConfigFields = {
  /** A private app's access token; the HubSpot sink is on when it is set. */
  HUBSPOT_ACCESS_TOKEN: optionalText,
  HUBSPOT_BASE_URL: z.url().default('https://api.hubapi.com'),
  /** The whole of one request, answer included: past it the request fails and the write is retried. */
  HUBSPOT_TIMEOUT_MS: z.coerce.number().int().positive().max(25_000).default(10_000),
  /** Bytes of one answer read at most (the properties list of a large portal is the longest, at a few hundred KB). */
  HUBSPOT_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  /** What that id is: the record id (hs_object_id), or a unique contact property of yours. */
  HUBSPOT_CONTACT_ID_PROPERTY: propertyName.default('hs_object_id'),
  /** Contact properties searched for the customer's phone number when no id finds the contact. */
  HUBSPOT_CONTACT_PHONE_PROPERTIES: PropertyList.prefault('phone,mobilephone'),
  HUBSPOT_CREATE_CONTACTS: z.stringbool().default(true),
  HUBSPOT_CONTACT_PROPERTIES: FactProperties.prefault(
    'lastCallOutcome=agntix_last_call_outcome,lastCallAt=agntix_last_call_at,callbackDueAt=agntix_callback_due_at',
  ),
  HUBSPOT_CALL_DISPOSITIONS: Dispositions.prefault('EXPIRED=No answer,*=Connected'),
  /** The HubSpot user (owner id) assigned the callback tasks. */
  HUBSPOT_TASK_OWNER_ID: optionalText.pipe(z.string().regex(/^\d+$/, 'must be a HubSpot owner id').optional()),
};

export const HubSpotConfigSchema = z.object({ ...hubspotConfigFields, ...crmContactFields });
export type HubSpotConfig = z.infer<typeof HubSpotConfigSchema>;

/** What the HubSpot adapter runs with. */
export interface HubSpotSettings {
  accessToken: string;
  baseUrl: string;
  timeoutMs: number;
  maxResponseBytes: number;
  contactIdVariable: string;
  contactIdProperty: string;
  phoneProperties: string[];
  createContacts: boolean;
  /** Which contact property holds which fact; facts without one are not written. */
  contactProperties: Partial<Record<ContactFact, string>>;
  /** Outcome label (lower case) → disposition id; `*` for any other outcome. */
  dispositions: Record<string, string>;
  taskOwnerId?: string;
}

/** The sink's settings, or undefined when HUBSPOT_ACCESS_TOKEN is not set. */
export function hubspotSettingsFrom(config: HubSpotConfig): HubSpotSettings | undefined {
  if (!config.HUBSPOT_ACCESS_TOKEN) return undefined;
  return {
    accessToken: config.HUBSPOT_ACCESS_TOKEN,
    baseUrl: config.HUBSPOT_BASE_URL,
    timeoutMs: config.HUBSPOT_TIMEOUT_MS,
    maxResponseBytes: config.HUBSPOT_MAX_RESPONSE_BYTES,
    contactIdVariable: config.CRM_CONTACT_VARIABLE,
    contactIdProperty: config.HUBSPOT_CONTACT_ID_PROPERTY,
    phoneProperties: config.HUBSPOT_CONTACT_PHONE_PROPERTIES,
    createContacts: config.HUBSPOT_CREATE_CONTACTS,
    contactProperties: config.HUBSPOT_CONTACT_PROPERTIES,
    dispositions: config.HUBSPOT_CALL_DISPOSITIONS,
    taskOwnerId: config.HUBSPOT_TASK_OWNER_ID,
  };
}
