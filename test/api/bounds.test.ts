import { MAX_JSON_DEPTH, MAX_JSON_STRING_BYTES, jsonBoundsProblem } from '../../src/api/bounds';
import { example } from '../../src/dev/examples';

const check = (text: string) => jsonBoundsProblem(Buffer.from(text));
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON bounds, checked on the raw bytes', () => {
  it.each([
    'session-created.voice-outbound.json',
    'session-ended.voice-callback-requested.json',
    'session-ended.unresolved-complaint.json',
    'session-ended.chat-no-analysis.json',
  ])('passes the documented example %s', (name) => {
    expect(check(JSON.stringify(example(name)))).toBeUndefined();
  });

  it(`passes nesting of exactly ${MAX_JSON_DEPTH} and refuses one more, naming the path`, () => {
    expect(check(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(check(`{"a":{"b":[1,${nested(MAX_JSON_DEPTH)}]}}`)).toEqual({
      field: 'a.b.1.0.0.0.…',
      message: `nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const tricky = JSON.stringify({ a: '[[[[{{{{,,,', 'b"[': '\\"]]]', c: ['x', { d: '\\' }] });
    expect(check(tricky)).toBeUndefined();
    expect(check(`{"k":"${'['.repeat(100)}","deep":${nested(MAX_JSON_DEPTH)}}`)).toMatchObject({
      field: 'deep.0.0.0.0.0.…',
    });
  });

  it('refuses a string, or a key, over the bound, naming where', () => {
    const long = 'x'.repeat(MAX_JSON_STRING_BYTES + 1);
    expect(check(JSON.stringify({ analysis: { summary: long } }))?.field).toBe('analysis.summary');
    expect(check(JSON.stringify({ list: ['ok', long] }))?.field).toBe('list.1');
    expect(check(JSON.stringify({ [long]: 1 }))?.field).toBe('x'.repeat(64));
    expect(check(JSON.stringify({ ok: 'x'.repeat(MAX_JSON_STRING_BYTES) }))).toBeUndefined();
  });

  it('never throws on bytes that are not JSON', () => {
    for (const text of ['', ']]]}}}', '{"open', '"\\', '{{{', '[,,,]', '\u0000\xff'])
      expect(() => check(text)).not.toThrow();
  });
});
