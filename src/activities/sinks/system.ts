import type { Pool } from 'pg';
import type { Config } from '../../config';
import type { OutcomeSink, RemoteErasure } from './types';

/** What of an event a system may be sent by default (docs/privacy.md); the SHARE_*_WITH settings override it. */
export interface Receives {
  /** The customer's full phone number (the others get it masked). */
  phone: boolean;
  /** Free text: the summary and the analysis' explanations. */
  summary: boolean;
  /** The archived transcript: with PostgreSQL a link only this system is served (src/store/transcriptLinks.ts). */
  transcript: boolean;
}

/** What building a system may use: the settings, and the one PostgreSQL pool of the process when DATABASE_URL is set. */
export interface SystemContext {
  config: Config;
  pool?: Pool;
  /** Run at shutdown, in order. */
  onClose: (close: () => unknown) => void;
}

/** An external system the outcomes go to: one folder under src/activities/sinks and one line in ./registry.ts. */
export interface ExternalSystem {
  name: string;
  /** The names its sinks carry, as the SHARE_*_WITH settings list them. */
  sinkNames: string[];
  /** The variables it reads (their schema joins the service's, src/config/). */
  settings: readonly string[];
  receives: Receives;
  /** Whether the settings turn it on. */
  configured(config: Config): boolean;
  /** Its sinks from the settings; none when it is not configured. */
  build(context: SystemContext): OutcomeSink[];
  /** How `npm run forget` erases what it was sent, when the system offers deletion and is configured. */
  eraser?(config: Config): RemoteErasure | undefined;
}
