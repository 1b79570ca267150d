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
