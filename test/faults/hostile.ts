import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { freshSession } from '../../src/dev/examples';
import { newSecret } from '../../src/dev/signing';
import type { PlannedSession } from './plan';
import type { Dice } from './random';
import type { FaultSettings } from './settings';
import { signedBy, type Message } from './svix';

/*
 * What an attacker and a broken sender mix into the traffic: forged, stale and tampered deliveries for the run's
 * real sessions, the hostile payloads issue #12 names, and property-based fuzz (fast-check, seeded): random JSON
 * bodies and mutations of real events, each sent unsigned (must never be accepted) and validly signed (must never
 * be answered 500, nor 5xx on every retry: input that is wrong gets a 4xx).
 */

export interface Scheduled {
  at: number;
  message: Message;
}

const TEMPLATES = ['session-created.voice-outbound.json', 'session-ended.voice-callback-requested.json'] as const;

/** Paths a mutation may touch: the fields the service reads, and a few it must not trip over. */
const PATHS = [
  ['id'],
  ['eventType'],
  ['type'],
  ['direction'],
  ['state'],
  ['agentId'],
  ['createdAt'],
  ['metadata'],
  ['metadata', 'customerPhoneNumber'],
  ['metadata', 'sessionVariables'],
  ['metadata', 'sessionVariables', 'ttl'],
  ['metadata', 'sessionVariables', 'crmContactId'],
  ['metadata', 'sessionVariables', 'followUpOf'],
  ['metadata', 'sessionVariables', 'followUpAttempt'],
  ['metadata', 'sessionVariables', 'followUpAttemptId'],
  ['analysis'],
  ['analysis', 'summary'],
  ['analysis', 'extractedData'],
  ['analysis', 'extractedData', 'callbackRequested'],
  ['analysis', 'extractedData', 'preferredDay'],
  ['analysis', 'resolution', 'classification'],
  ['recordingUrl'],
  ['endedAt'],
  ['constructor'],
  ['__proto__'],
];

/** A placeholder a mutation leaves where an array nested `depth` deep goes; JSON.stringify could not write it. */
const nestToken = (depth: number) => `__NEST_${depth}__`;
const expandNesting = (body: string) =>
  body.replace(/"__NEST_(\d+)__"/g, (_m, d: string) => '['.repeat(Number(d)) + ']'.repeat(Number(d)));

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1000, maxLength: 4000 }),
  fc.constantFrom(1e300, -1, 0, 0.5, 2 ** 53 + 2, -1e308, '', ' ', '9999-12-31', '0000-00-00', 'true', null),
);

type Mutation =
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'delete'; path: string[] }
  | { op: 'nest'; path: string[]; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: hostileValue }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      path: fc.constantFrom(...PATHS.filter((p) => p[0] === 'metadata' || p[0] === 'analysis')),
      depth: fc.integer({ min: 100, max: 200_000 }),
    }),
  },
);

function apply(target: Record<string, unknown>, m: Mutation): void {
  let node: Record<string, unknown> = target;
  for (const key of m.path.slice(0, -1)) {
    const child = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof child !== 'object' || child === null || Array.isArray(child)) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  const last = m.path.at(-1)!;
  if (m.op === 'delete') {
    delete node[last];
    return;
  }
  // defineProperty: a key such as __proto__ becomes an own property, as JSON.parse would make it.
  const value = m.op === 'nest' ? nestToken(m.depth) : m.value;
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}

const describe = (m: Mutation) =>
  `${m.op} ${m.path.join('.')}${m.op === 'nest' ? ` depth ${m.depth}` : m.op === 'set' ? ` = ${preview(m.value)}` : ''}`;
/** A short, ASCII-only glimpse of a generated value, for the report (fuzzed strings hold any code point). */
const preview = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  const shown = text.length > 40 ? `${text.slice(0, 20)}... (${text.length} chars)` : text;
  return shown.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
};

/** Real events of fresh sessions (never the run's own), mutated one to four times. */
const mutatedEvent = fc
  .record({ template: fc.constantFrom(...TEMPLATES), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
  .map(({ template, mutations }) => {
    const event = freshSession(template);
    for (const m of mutations) apply(event, m);
    return { body: expandNesting(JSON.stringify(event)), label: mutations.map(describe).join('; ') };
  });

const randomJson = fc.json({ maxDepth: 5 }).map((body) => ({ body, label: `random JSON (${body.length} chars)` }));

/** The signed payloads issue #12 reproduced as never recordable, plus the oversized and far-future ones. */
function namedCases(): Array<{ label: string; body: string }> {
  const created = () => freshSession(TEMPLATES[0]) as { metadata: { sessionVariables: Record<string, unknown> } };
  const ended = () =>
    freshSession(TEMPLATES[1]) as { analysis: { summary: string; extractedData: Record<string, unknown> } };
  const withVariable = (name: string, value: unknown) => {
    const event = created();
    event.metadata.sessionVariables[name] = value;
    return event;
  };
  const chainWithHugeAttempt = withVariable('followUpOf', randomUUID());
  chainWithHugeAttempt.metadata.sessionVariables.followUpAttempt = 1e300;
  const farCallback = ended();
  farCallback.analysis.extractedData = { callbackRequested: true, preferredDay: '9999-12-31' };
  const big = ended();
  big.analysis.summary = 'x'.repeat(900 * 1024);
  return [
    { label: 'crmContactId of 3,000 characters', body: JSON.stringify(withVariable('crmContactId', 'C'.repeat(3000))) },
    { label: 'session id of 1,500 characters', body: JSON.stringify({ ...created(), id: 'a'.repeat(1500) }) },
    { label: 'followUpAttempt 1e300', body: JSON.stringify(chainWithHugeAttempt) },
    {
      label: 'array nested 200,000 deep in sessionVariables',
      body: expandNesting(JSON.stringify(withVariable('deep', nestToken(200_000)))),
    },
    { label: 'sessionVariables.ttl 1e9', body: JSON.stringify(withVariable('ttl', 1e9)) },
    { label: 'callback on 9999-12-31', body: JSON.stringify(farCallback) },
    { label: 'session.ended of 900 KB', body: JSON.stringify(big) },
  ];
}

/** Unsigned in three ways: no signature headers, a garbage signature, a signature of another message. */
function unsigned(variant: number) {
  return (svixId: string): Record<string, string> => {
    if (variant % 3 === 0) return {};
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = variant % 3 === 1 ? 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' : 'v1,not-base64-at-all';
    return { 'svix-id': svixId, 'svix-timestamp': timestamp, 'svix-signature': signature };
  };
}

/** A real session's event, changed after signing: the callback wish flipped, or the id moved to another session. */
function tamper(body: string, other: PlannedSession): string {
  const event = JSON.parse(body) as Record<string, unknown>;
  const data = (event.analysis as { extractedData?: Record<string, unknown> } | undefined)?.extractedData;
  if (data) data.callbackRequested = !data.callbackRequested;
  else event.id = other.id;
  const tampered = JSON.stringify(event);
  if (tampered === body) throw new Error('tampering left the body unchanged'); // it would be a genuine delivery
  return tampered;
}

/** Every hostile delivery of a run, each at a random moment of the traffic window. */
export function hostileTraffic(
  secret: string,
  sessions: PlannedSession[],
  settings: FaultSettings,
  dice: Dice,
): Scheduled[] {
  const window = settings.trafficSeconds * 1000;
  const at = () => dice.int(0, window);
  const real = () => {
    const session = dice.pick(sessions);
    const event = dice() < 0.5 ? session.created : session.ended;
    return { session, body: JSON.stringify(event) };
  };
  const out: Scheduled[] = [];
  const wrongSecret = newSecret();
  const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000);
  for (let i = 0; i < settings.hostilePerKind; i++) {
    const forged = real();
    out.push({
      at: at(),
      message: {
        cls: 'forged',
        label: 'signed with another secret',
        sessionId: forged.session.id,
        ...forgedBy(wrongSecret, forged.body),
      },
    });
    const stale = real();
    out.push({
      at: at(),
      message: {
        cls: 'stale',
        label: 'signed 10 minutes ago',
        sessionId: stale.session.id,
        body: stale.body,
        headers: signedBy(secret, tenMinutesAgo),
      },
    });
    const tampered = real();
    out.push({
      at: at(),
      message: {
        cls: 'tampered',
        label: 'body changed after signing',
        sessionId: tampered.session.id,
        body: tampered.body,
        sentBody: tamper(tampered.body, dice.pick(sessions.filter((s) => s !== tampered.session))),
        headers: signedBy(secret),
      },
    });
  }
  const seed = settings.seed;
  const fuzz = [
    ...fc.sample(randomJson, { numRuns: settings.fuzzRuns, seed }),
    ...fc.sample(mutatedEvent, { numRuns: settings.fuzzRuns, seed: seed + 1 }),
  ];
  fuzz.forEach(({ body, label }, i) => {
    out.push({ at: at(), message: { cls: 'fuzz-unsigned', label, body, headers: unsigned(i) } });
    out.push({ at: at(), message: { cls: 'fuzz-signed', label, body, headers: signedBy(secret) } });
  });
  for (const { label, body } of namedCases()) {
    out.push({ at: at(), message: { cls: 'named-hostile', label, body, headers: signedBy(secret) } });
  }
  return out;
}

function forgedBy(wrongSecret: string, body: string): Pick<Message, 'body' | 'headers'> {
  return { body, headers: signedBy(wrongSecret) };
}
