/*
 * Which session variable names the customer's record in the CRM. One setting (CRM_CONTACT_VARIABLE) read by the
 * index, the Web UI summary, the CRM sink, the automations and erasure, so renaming it moves every one of them.
 */

/** The variable the Agntix docs use (API.md, "Correlation"), when CRM_CONTACT_VARIABLE is not set. */
export const DEFAULT_CRM_CONTACT_VARIABLE = 'crmContactId';

/** The customer's CRM id among a session's variables, or undefined when the variable is absent or blank. */
export function crmContactIdOf(
  variables: Record<string, string>,
  variable: string = DEFAULT_CRM_CONTACT_VARIABLE,
): string | undefined {
  // An own property only: a variable named like an Object.prototype member must not find one.
  const id = Object.hasOwn(variables, variable) ? variables[variable]?.trim() : undefined;
  return id || undefined;
}
