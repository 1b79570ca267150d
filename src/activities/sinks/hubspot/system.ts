import { hubspotConfigFields, hubspotSettingsFrom } from '../../../config/hubspot';
import type { ExternalSystem } from '../system';
import { hubspotErasure } from './erasure';
import { hubspotSinkFrom } from './sink';

/** The CRM: it already holds its customers' numbers and finds the contact by one, and keeps the call's record. */
export const hubspotSystem: ExternalSystem = {
  name: 'hubspot',
  sinkNames: ['hubspot'],
  settings: Object.keys(hubspotConfigFields),
  receives: { phone: true, summary: true, transcript: true },
  configured: (config) => Boolean(config.HUBSPOT_ACCESS_TOKEN),
  build: ({ config }) => {
    const sink = hubspotSinkFrom(config);
    return sink ? [sink] : [];
  },
  eraser: (config) => {
    const settings = hubspotSettingsFrom(config);
    return settings ? hubspotErasure(settings) : undefined;
  },
};
