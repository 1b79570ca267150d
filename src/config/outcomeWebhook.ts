import { z } from 'zod';
import { millis, optionalText } from './fields';
import { whsecProblem } from './secrets';

const optionalSecret = optionalText.superRefine((secret, ctx) => {
  const problem = secret === undefined ? undefined : whsecProblem(secret);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The outcome webhook's settings (docs/privacy.md): on when OUTCOME_WEBHOOK_URL is set. */
export const outcomeWebhookConfigFields = {
  OUTCOME_WEBHOOK_URL: optionalText.pipe(z.url().optional()),
  OUTCOME_WEBHOOK_SECRET: optionalSecret,
  OUTCOME_WEBHOOK_TIMEOUT_MS: millis(10_000),
};
