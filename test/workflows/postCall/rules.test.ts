import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SessionCreated, SessionEnded } from '../../../src/contracts/agntixEvents';
import {
  DEFAULT_RULES,
  loadRuleSet,
  parseRuleSet,
  RULE_FIELD_GROUPS,
  RULE_FIELDS,
  RulesError,
  type RuleSet,
} from '../../../src/automations/ruleSchema';
import { evaluateRules, fieldsOf, type PostCallContext } from '../../../src/workflows/postCall/rules';
import * as workflows from '../../../src/workflows';
import { example } from '../../../src/dev/examples';

const created = SessionCreated.parse(example('session-created.voice-outbound.json'));
const ended = SessionEnded.parse(example('session-ended.voice-callback-requested.json'));
const context = (analysis: Record<string, unknown> = {}, extra: Partial<PostCallContext> = {}): PostCallContext => {
  const e = SessionEnded.parse({ ...ended, analysis: { ...ended.analysis, ...analysis } });
  return {
    sessionId: e.id,
    created,
    ended: e,
    analysis: e.analysis,
    correlation: { campaignId: 'FOLLOWUP-2026-07-14-A' },
    source: 'webhook',
    ...extra,
  };
};
const complaint = {
  resolution: { classification: 'UNRESOLVED' },
  sentiment: { conversation: { sentiment: 'NEGATIVE', score: -0.7 } },
};
// The engine under test, not the repo's rules.json: an engineer editing that file must not break these tests.
const escalationRules: RuleSet = {
  rules: [
    {
      name: 'escalate unresolved complaints',
      when: { resolution: 'UNRESOLVED', sentiment: 'NEGATIVE' },
      then: [{ action: 'startWorkflow', workflow: 'escalationWorkflow' }],
    },
    { name: 'call back when asked', when: {}, then: [{ action: 'scheduleCallback' }] },
  ],
};

describe('evaluateRules', () => {
  it('by default calls back', () => {
    expect(evaluateRules(DEFAULT_RULES, context()).actions).toEqual([{ action: 'scheduleCallback' }]);
  });

  it('escalates an unresolved call with negative sentiment, and still calls back', () => {
    expect(evaluateRules(escalationRules, context(complaint))).toEqual({
      matched: ['escalate unresolved complaints', 'call back when asked'],
      actions: [{ action: 'startWorkflow', workflow: 'escalationWorkflow' }, { action: 'scheduleCallback' }],
    });
  });

  it.each([
    ['resolved', { resolution: { classification: 'RESOLVED' }, sentiment: complaint.sentiment }],
    ['unresolved but neutral', { ...complaint, sentiment: { conversation: { sentiment: 'NEUTRAL' } } }],
    ['without analysis parts', { resolution: undefined, sentiment: undefined }],
  ])('does not escalate a call %s', (_label, analysis) => {
    expect(evaluateRules(escalationRules, context(analysis)).matched).toEqual(['call back when asked']);
  });

  const rules: RuleSet = {
    rules: [
      { name: 'one campaign only', when: { 'variables.campaignId': 'OTHER' }, then: [{ action: 'none' }], final: true },
      {
        name: 'agent A outbound',
        when: { agentId: created.agentId!, direction: 'OUTBOUND' },
        then: [{ action: 'startWorkflow', workflow: 'survey' }],
      },
      {
        name: 'confirmed or rescheduled',
        when: { 'extractedData.callOutcome': { in: ['Confirmed', 'Unavailable'] } },
        then: [{ action: 'startWorkflow', workflow: 'survey' }],
      },
      { name: 'no intent at all', when: { intent: { exists: false } }, then: [{ action: 'scheduleCallback' }] },
      { name: 'stop here', when: {}, then: [{ action: 'none' }], final: true },
      { name: 'never reached', when: {}, then: [{ action: 'startWorkflow', workflow: 'x' }] },
    ],
  };

  it('offers rules exactly the fields the schema accepts', () => {
    expect(Object.keys(fieldsOf(context())).sort()).toEqual([...RULE_FIELDS, ...RULE_FIELD_GROUPS].sort());
  });

  it('matches event fields, correlation variables, extracted data, presence; stops at a final rule', () => {
    expect(evaluateRules(rules, context())).toEqual({
      matched: ['agent A outbound', 'confirmed or rescheduled', 'stop here'],
      actions: [{ action: 'startWorkflow', workflow: 'survey' }],
    });
    expect(evaluateRules(rules, context({ intent: undefined })).actions).toEqual([
      { action: 'startWorkflow', workflow: 'survey' },
      { action: 'scheduleCallback' },
    ]);
    expect(evaluateRules(rules, context({}, { correlation: { campaignId: 'OTHER' } }))).toEqual({
      matched: ['one campaign only'],
      actions: [],
    });
  });
});

describe('the rules file', () => {
  const known = ['escalationWorkflow'];
  it.each([
    [
      { rules: [{ name: 'a', when: {} }] },
      'rules.json: rule 1 "a" then: Invalid input: expected array, received undefined',
    ],
    [
      { rules: [{ name: 'a', when: {}, then: [{ action: 'sendFax' }] }] },
      /rule 1 "a" then\.0\.action: Invalid discriminator value/,
    ],
    [
      { rules: [{ name: 'a', when: {}, then: [{ action: 'none' }], fnial: true }] },
      'rules.json: rule 1 "a": Unrecognized key: "fnial"',
    ],
    [
      { rules: [{ name: 'a', when: { resolution: ['X'] }, then: [{ action: 'none' }] }] },
      /rule 1 "a" when\.resolution: Invalid input/,
    ],
    [
      { rules: [{ name: 'red', when: { colour: 'red' }, then: [{ action: 'none' }] }] },
      'rules.json: rule 1 "red" when.colour: unknown field "colour" (known: agentId, type, direction, platform, ' +
        'source, followUpAttempt, intent, resolution, sentiment, extractedData.<name>, variables.<name>, analysis.<name>)',
    ],
    [
      { rules: [{ name: 'sad', when: { sentimnet: 'NEGATIVE' }, then: [{ action: 'none' }] }] },
      'rules.json: rule 1 "sad" when.sentimnet: unknown field "sentimnet"',
    ],
    [
      { rules: [{ name: 'deep', when: { 'sentiment.score': 1 }, then: [{ action: 'none' }] }] },
      'when.sentiment.score: unknown field "sentiment.score"',
    ],
    [
      { rules: [{ name: 'escalate', when: {}, then: [{ action: 'startWorkflow', workflow: 'escalaton' }] }] },
      'rules.json: rule 1 "escalate" then.0.workflow: "escalaton" is not a registered workflow (known: escalationWorkflow)',
    ],
  ])('refuses %j with the rule and field named', (raw, message) => {
    expect(() => parseRuleSet(raw, 'rules.json', known)).toThrow(RulesError);
    expect(() => parseRuleSet(raw, 'rules.json', known)).toThrow(message);
  });

  it('loads a module exporting ruleSet from the automations folder, and says so when a file cannot be read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-'));
    writeFileSync(path.join(dir, 'rules.js'), `exports.ruleSet = ${JSON.stringify(DEFAULT_RULES)};`);
    expect(loadRuleSet(path.join(dir, 'rules.js'), known, dir)).toEqual(DEFAULT_RULES);
    expect(() => loadRuleSet(path.join(dir, 'missing.json'), known)).toThrow(/missing\.json: cannot be read/);
  });

  it('never runs a rules module from outside the automations folder, even through a symbolic link', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'rules-outside-'));
    const automations = mkdtempSync(path.join(tmpdir(), 'automations-'));
    const marker = path.join(outside, 'ran');
    writeFileSync(
      path.join(outside, 'rules.js'),
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); exports.ruleSet = { rules: [] };`,
    );
    symlinkSync(path.join(outside, 'rules.js'), path.join(automations, 'linked.js'));
    mkdirSync(path.join(automations, 'sub'));
    for (const file of [
      path.join(outside, 'rules.js'),
      path.join(automations, 'linked.js'),
      path.join(automations, 'sub', '..', '..', path.basename(outside), 'rules.js'),
    ]) {
      expect(() => loadRuleSet(file, known, automations)).toThrow(RulesError);
      expect(() => loadRuleSet(file, known, automations)).toThrow(/a rules file must be JSON, or a module inside/);
    }
    expect(() => loadRuleSet(path.join(outside, 'rules.js'), known)).toThrow(
      /must be JSON, or a module inside .*src\/automations/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it.each(['sessionWorkflow', 'followUpWorkflow'])("refuses a rule that starts the core's %s", (workflow) => {
    const raw = { rules: [{ name: 'sneaky', when: {}, then: [{ action: 'startWorkflow', workflow }] }] };
    // Even when the worker registers it: the core's workflows are never the engineers' to start.
    expect(() => parseRuleSet(raw, 'rules.json', Object.keys(workflows))).toThrow(
      `rules.json: rule 1 "sneaky" then.0.workflow: "${workflow}" is the core's own workflow`,
    );
  });
});
