import { SANDBOX_API_KEY, SANDBOX_PHONE_NUMBER_ID } from './fakeAgntix';

export const SANDBOX_PORT = 3100;

/**
 * The settings `npm start` uses with the sandbox as its Agntix API: its key and number, and calling rules that let
 * the demo's follow-up happen within a minute (any hour, any day, a 12-second minimum delay). Values you set win.
 */
export function sandboxEnv(sandboxUrl: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    FOLLOWUP_CALLING_HOURS: '00:00-24:00',
    FOLLOWUP_CALLING_DAYS: 'sun,mon,tue,wed,thu,fri,sat',
    FOLLOWUP_MIN_DELAY_MINUTES: '0.2',
    FOLLOWUP_DEFAULT_DELAY_MINUTES: '0.2',
    FOLLOWUP_CALL_TTL_SECONDS: '30',
    ...env,
    AGNTIX_API_URL: sandboxUrl,
    AGNTIX_API_KEY: SANDBOX_API_KEY,
    AGNTIX_PHONE_NUMBER_ID: env.AGNTIX_PHONE_NUMBER_ID ?? SANDBOX_PHONE_NUMBER_ID,
  };
}

/**
 * What `npm start` adds for its sandbox alone (not the tests' or the fault suite's stacks): short graces, so an
 * uncertain dial reaches needs-operator within a minute (the practice scenario of docs/operations.md), and the
 * sandbox's human queue for the escalation example, so the README's complaint example ends green.
 */
export function practiceEnv(sandboxUrl: string): NodeJS.ProcessEnv {
  return {
    FOLLOWUP_CONFIRM_GRACE_SECONDS: '5',
    FOLLOWUP_OPERATOR_GRACE_SECONDS: '15',
    ESCALATION_QUEUE_URL: `${sandboxUrl}/sandbox/escalations`,
  };
}
