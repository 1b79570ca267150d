import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FOLLOW_UP_WORKFLOW_TYPE, SESSION_WORKFLOW_TYPE } from '../contracts';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Condition = z.union([
  Scalar,
  z.strictObject({ in: z.array(Scalar).min(1) }),
  z.strictObject({ exists: z.boolean() }),
]);
const Action = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('scheduleCallback') }),
  z.strictObject({
    action: z.literal('startWorkflow'),
    workflow: z.string().min(1),
    taskQueue: z.string().min(1).optional(),
  }),
  z.strictObject({ action: z.literal('none') }),
]);
/** The fields a rule can test (`fieldsOf` in src/workflows/postCall/rules.ts builds them from the context). */
export const RULE_FIELDS = [
  'agentId',
  'type',
  'direction',
  'platform',
  'source',
  'followUpAttempt',
  'intent',
  'resolution',
  'sentiment',
] as const;
/** Fields holding named values: a rule tests one of them by path (`extractedData.callbackRequested`). */
export const RULE_FIELD_GROUPS = ['extractedData', 'variables', 'analysis'] as const;

const KNOWN_FIELDS = [...RULE_FIELDS, ...RULE_FIELD_GROUPS.map((g) => `${g}.<name>`)].join(', ');

function isKnownField(path: string): boolean {
  const [root, ...rest] = path.split('.');
  if ((RULE_FIELDS as readonly string[]).includes(root ?? '')) return rest.length === 0;
  return (RULE_FIELD_GROUPS as readonly string[]).includes(root ?? '') && rest.every((part) => part.length > 0);
}

// A misspelt field would never match, so the rule would silently never run: refuse it and name what is known.
const When = z.record(z.string().min(1), Condition).superRefine((when, ctx) => {
  for (const field of Object.keys(when)) {
    if (!isKnownField(field)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `unknown field "${field}" (known: ${KNOWN_FIELDS})` });
    }
  }
});

const Rule = z.strictObject({
  name: z.string().min(1),
  when: When,
  then: z.array(Action).min(1),
  final: z.boolean().optional(),
});

/** The rules file: strict, so a typo in a key is an error rather than a rule that silently never matches. */
export const RuleSetSchema = z.strictObject({ rules: z.array(Rule) });

/** A condition on one field: equal to a value, one of several, present or absent. */
export type Condition = z.infer<typeof Condition>;
export type RuleAction = z.infer<typeof Action>;
/** `when`: field path → condition, all must hold (paths: `fieldsOf`); an empty `when` always matches. `final`: when
 * this rule matches, later rules are not considered. */
export type Rule = z.infer<typeof Rule>;
export type RuleSet = z.infer<typeof RuleSetSchema>;

/**
 * The default rules. The outcome is always recorded and a follow-up chain's end always told (core bookkeeping);
 * these rules add the callback the customer asked for.
 */
export const DEFAULT_RULES: RuleSet = {
  rules: [{ name: 'call back when asked', when: {}, then: [{ action: 'scheduleCallback' }] }],
};

export class RulesError extends Error {
  override name = 'RulesError';
}

/** The core's own workflows: a rule starting one would run a second session or dial a customer outside the chain. */
const CORE_WORKFLOWS: readonly string[] = [SESSION_WORKFLOW_TYPE, FOLLOW_UP_WORKFLOW_TYPE];

/** The engineers' folder: the only place a rules module may be loaded from (its code runs inside the worker). */
export const AUTOMATIONS_DIR = __dirname;

/**
 * Validates a rule set and that every workflow it starts is one of the engineers' own, registered with the worker
 * (never the core's session or follow-up workflow). The message names the file, the rule and the field, e.g.
 * `rules.json: rule 2 "escalate" then.0.workflow: "escalaton" is not a registered workflow`.
 */
export function parseRuleSet(raw: unknown, source: string, knownWorkflows: readonly string[]): RuleSet {
  const result = RuleSetSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const [, index, ...field] = issue?.path ?? [];
    const where =
      typeof index === 'number'
        ? [describeRule(raw, index), field.join('.')].filter(Boolean).join(' ')
        : issue?.path.join('.') || '(root)';
    throw new RulesError(`${source}: ${where}: ${issue?.message}`);
  }
  result.data.rules.forEach((rule, index) => {
    rule.then.forEach((action, at) => {
      if (action.action === 'startWorkflow' && CORE_WORKFLOWS.includes(action.workflow)) {
        throw new RulesError(
          `${source}: rule ${index + 1} "${rule.name}" then.${at}.workflow: "${action.workflow}" is the core's own ` +
            `workflow; rules start only your workflows in src/automations/workflows`,
        );
      }
      if (action.action === 'startWorkflow' && !knownWorkflows.includes(action.workflow)) {
        throw new RulesError(
          `${source}: rule ${index + 1} "${rule.name}" then.${at}.workflow: "${action.workflow}" is not a registered ` +
            `workflow (known: ${knownWorkflows.join(', ')})`,
        );
      }
    });
  });
  return result.data;
}

function describeRule(raw: unknown, index: number): string {
  const name = (raw as { rules?: Array<{ name?: unknown }> }).rules?.[index]?.name;
  return `rule ${index + 1}${typeof name === 'string' ? ` "${name}"` : ''}`;
}

/**
 * Reads a rules file: JSON from anywhere, or a TypeScript/JavaScript module exporting `ruleSet` from inside the
 * engineers' folder (`moduleDir`, src/automations), symbolic links resolved: a module is code the worker runs, so a
 * setting must not be able to name one elsewhere on the host.
 */
export function loadRuleSet(file: string, knownWorkflows: readonly string[], moduleDir = AUTOMATIONS_DIR): RuleSet {
  const resolved = path.resolve(file);
  let raw: unknown;
  try {
    if (resolved.endsWith('.json')) {
      raw = JSON.parse(readFileSync(resolved, 'utf8'));
    } else {
      const real = realpathSync(resolved);
      if (!real.startsWith(`${realpathSync(moduleDir)}${path.sep}`)) {
        throw new RulesError(`${file}: a rules file must be JSON, or a module inside ${moduleDir}`);
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      raw = (require(real) as { ruleSet?: unknown }).ruleSet;
    }
  } catch (err) {
    if (err instanceof RulesError) throw err;
    throw new RulesError(`${file}: cannot be read: ${(err as Error).message}`);
  }
  return parseRuleSet(raw, path.basename(file), knownWorkflows);
}
