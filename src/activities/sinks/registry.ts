import { hubspotSystem } from './hubspot/system';
import { outcomeWebhookSystem } from './outcomeWebhook/system';
import { storeSystem } from './store/system';
import type { ExternalSystem, Receives } from './system';

/** Every external system, one line each; the worker builds them and the sharing defaults follow their declarations. */
export const SYSTEMS: readonly ExternalSystem[] = [storeSystem, outcomeWebhookSystem, hubspotSystem];

/** The sink names of the systems that receive `what` by default. */
export function sinksReceiving(what: keyof Receives, systems: readonly ExternalSystem[] = SYSTEMS): string[] {
  return systems.filter((s) => s.receives[what]).flatMap((s) => s.sinkNames);
}
