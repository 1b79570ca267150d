import type { Config } from './schema';

/*
 * The rules that tie one setting to another, all in one place: each returns the one line that stops start-up, naming
 * the variable, or undefined when the settings hold together.
 */

type Check = (config: Config) => string | undefined;

const production = (config: Config) => config.NODE_ENV === 'production';

const checks: Check[] = [
  (c) =>
    Boolean(c.WORKER_DEPLOYMENT_NAME) !== Boolean(c.WORKER_BUILD_ID)
      ? 'WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID are set together'
      : undefined,
  (c) =>
    c.OUTCOME_WEBHOOK_URL && !c.OUTCOME_WEBHOOK_SECRET
      ? 'OUTCOME_WEBHOOK_SECRET is required when OUTCOME_WEBHOOK_URL is set'
      : undefined,
  (c) =>
    production(c) && !c.PAYLOAD_ENCRYPTION_KEYS && c.PAYLOAD_ENCRYPTION !== 'off'
      ? 'PAYLOAD_ENCRYPTION_KEYS is required when NODE_ENV=production ' +
        '(or set PAYLOAD_ENCRYPTION=off to store workflow payloads in plain text)'
      : undefined,
  (c) => (production(c) ? plainHttpUrl(c) : undefined),
];

/**
 * What the API or a worker needs in production beyond every process's settings: checked at those entry points only,
 * so the setup job and the codec server start without the webhook and link secrets they never use.
 */
const roleChecks: Record<'api' | 'worker', Check[]> = {
  api: [
    (c) =>
      production(c) && c.AGNTIX_WEBHOOK_SECRET === undefined
        ? 'AGNTIX_WEBHOOK_SECRET is required when NODE_ENV=production'
        : undefined,
  ],
  worker: [],
};
// Transcript links carry customer conversations: signed with a real secret, and only over TLS.
const transcriptLinkChecks: Check[] = [
  (c) =>
    production(c) && c.DATABASE_URL && !c.TRANSCRIPT_LINK_SECRET
      ? 'TRANSCRIPT_LINK_SECRET is required with DATABASE_URL in production'
      : undefined,
  (c) =>
    production(c) && c.DATABASE_URL && !c.PUBLIC_BASE_URL?.startsWith('https://')
      ? 'PUBLIC_BASE_URL must be an https URL with DATABASE_URL in production'
      : undefined,
];

/** The first problem among the cross-field rules every process holds, as one line naming the variable. */
export function crossFieldProblem(config: Config): string | undefined {
  return firstProblem(checks, config);
}

/** The first problem among the rules of the API or a worker (the entry points that serve or write transcripts). */
export function roleProblem(role: 'api' | 'worker', config: Config): string | undefined {
  return firstProblem([...roleChecks[role], ...transcriptLinkChecks], config);
}

function firstProblem(rules: Check[], config: Config): string | undefined {
  for (const check of rules) {
    const problem = check(config);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * In production every web URL the service calls out to (each `*_URL` setting, the engineers' too) must be https,
 * except to this host's loopback (a sidecar, or a test's local peers): nothing crosses a network there. Other schemes
 * (DATABASE_URL's postgres://) carry their own TLS settings.
 */
function plainHttpUrl(config: Config): string | undefined {
  const loopback = (url: string) => /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);
  for (const [variable, value] of Object.entries(config)) {
    if (!variable.endsWith('_URL') || typeof value !== 'string') continue;
    if (value.toLowerCase().startsWith('http://') && !loopback(value)) {
      return `${variable} must be an https URL when NODE_ENV=production`;
    }
  }
  return undefined;
}
