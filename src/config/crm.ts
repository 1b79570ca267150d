import { z } from 'zod';
import { DEFAULT_CRM_CONTACT_VARIABLE } from '../contracts/crmContact';

/** Letters, digits, `_` and `-`: a session variable's name, and safe inside a store's JSON path. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * The one setting naming the customer's CRM id among the session variables. Joined into the service's schema with the
 * privacy settings and into the HubSpot schema, so the sink parsed on its own (the sandbox, the demo) reads it too.
 */
export const crmContactFields = {
  /** The session variable holding the customer's id in the CRM: indexed, shown, sent to the CRM, erased by. */
  CRM_CONTACT_VARIABLE: z
    .string()
    .trim()
    .regex(VARIABLE_NAME, 'must be a session variable name like crmContactId')
    .default(DEFAULT_CRM_CONTACT_VARIABLE),
};
