import type { ActivityDeps } from '../../activities';
import { EscalationConfig, createEscalationActivities } from './escalation';

/**
 * Your activities, registered with the worker next to the project's own. Add a factory here; read your settings
 * from `env` with a zod schema of your own (a bad value stops start-up like any other setting).
 * `core` gives you the project's clients: the Agntix API, the external systems, the transcript store.
 */
export function createAutomationActivities(env: NodeJS.ProcessEnv, _core?: ActivityDeps) {
  return {
    ...createEscalationActivities(EscalationConfig.parse(env)),
  };
}

export type AutomationActivities = ReturnType<typeof createAutomationActivities>;
