import { outcomeWebhookConfigFields } from '../../../config/outcomeWebhook';
import type { ExternalSystem } from '../system';
import { createOutcomeWebhookSink } from './sink';

/** The team's own receiver (Zapier, n8n, middleware): the summary, never the full phone number. */
export const outcomeWebhookSystem: ExternalSystem = {
  name: 'outcome-webhook',
  sinkNames: ['outcome-webhook'],
  settings: Object.keys(outcomeWebhookConfigFields),
  receives: { phone: false, summary: true, transcript: true },
  configured: (config) => Boolean(config.OUTCOME_WEBHOOK_URL && config.OUTCOME_WEBHOOK_SECRET),
  build: ({ config }) =>
    config.OUTCOME_WEBHOOK_URL && config.OUTCOME_WEBHOOK_SECRET
      ? [
          createOutcomeWebhookSink(
            config.OUTCOME_WEBHOOK_URL,
            config.OUTCOME_WEBHOOK_SECRET,
            config.OUTCOME_WEBHOOK_TIMEOUT_MS,
          ),
        ]
      : [],
};
