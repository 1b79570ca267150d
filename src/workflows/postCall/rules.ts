import type { Condition, RuleAction, RuleSet } from '../../automations/ruleSchema';
import type { PostCallContext } from '../../contracts/postCall';

/*
 * What every post-call policy receives, and the evaluation of the rules that choose what runs (their schema and
 * types: src/automations/ruleSchema.ts). Node-free: the session workflow evaluates the rules, and the engineers'
 * own workflows take the context as their input.
 */

export type { PostCallContext };

/**
 * The fields rules can test, by path: `agentId`, `type`, `direction`, `platform`, `source`, `followUpAttempt`,
 * `intent`, `resolution`, `sentiment` (the conversation-level values), `extractedData.<name>`,
 * `variables.<name>` (correlation), and anything under `analysis.` as the platform sends it.
 */
export function fieldsOf(context: PostCallContext): Record<string, unknown> {
  const { ended, analysis } = context;
  return {
    agentId: ended.agentId ?? context.created?.agentId,
    type: ended.type ?? context.created?.type,
    direction: ended.direction ?? context.created?.direction,
    platform: ended.platform ?? context.created?.platform,
    source: context.source,
    followUpAttempt: context.chain?.attempt ?? 0,
    intent: analysis?.intent?.conversation?.intent,
    resolution: analysis?.resolution?.classification,
    sentiment: analysis?.sentiment?.conversation?.sentiment,
    extractedData: analysis?.extractedData ?? {},
    variables: context.correlation,
    analysis: analysis ?? {},
  };
}

function read(fields: Record<string, unknown>, path: string): unknown {
  let value: unknown = fields;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function holds(value: unknown, condition: Condition): boolean {
  if (typeof condition !== 'object') return value === condition;
  if ('in' in condition) return condition.in.some((c) => c === value);
  return (value !== undefined && value !== null) === condition.exists;
}

/** The actions that run after a session, in rule order, without duplicates. Pure: same rules and context, same answer. */
export function evaluateRules(
  ruleSet: RuleSet,
  context: PostCallContext,
): { matched: string[]; actions: RuleAction[] } {
  const fields = fieldsOf(context);
  const matched: string[] = [];
  const actions: RuleAction[] = [];
  for (const rule of ruleSet.rules) {
    if (!Object.entries(rule.when).every(([path, condition]) => holds(read(fields, path), condition))) continue;
    matched.push(rule.name);
    for (const action of rule.then) {
      if (!actions.some((a) => JSON.stringify(a) === JSON.stringify(action))) actions.push(action);
    }
    if (rule.final) break;
  }
  return { matched, actions: actions.filter((a) => a.action !== 'none') };
}
