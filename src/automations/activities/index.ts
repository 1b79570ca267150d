import type { CoreClients } from '../core';
import { ESCALATION_QUEUE, EscalationConfig, createEscalationActivities } from './escalation';

/**
 * Your settings: add each activity's zod object here. They are validated with the rest of the configuration at
 * start-up (src/config/), so a bad value stops the worker with one line naming it.
 */
export const AutomationConfig = EscalationConfig;
export type AutomationConfig = ReturnType<typeof AutomationConfig.parse>;

/**
 * Your systems that your activities send transcript links to (`transcriptLinkFor`): `npm run transcript-link`
 * issues them fresh links and the reader credential they present, as it does for the core's systems.
 */
export const TRANSCRIPT_RECEIVERS: readonly string[] = [ESCALATION_QUEUE];

/**
 * Your activities, registered with the worker next to the project's own. Add a factory here; `core` gives you the
 * project's clients: the Agntix API, the external systems, the transcript store.
 */
export function createAutomationActivities(config: AutomationConfig, core: CoreClients) {
  return {
    ...createEscalationActivities(config, core),
  };
}

export type AutomationActivities = ReturnType<typeof createAutomationActivities>;
