/*
 * Bounds on a delivery's JSON, checked on the raw bytes in one linear pass before anything recursive sees the body
 * (zod, the payload converter's JSON.stringify, the logger): a 200,000-deep array parses (V8's JSON.parse is
 * iterative) but overflows the stack of everything after it. Together with WEBHOOK_MAX_BODY_BYTES they bound what a
 * delivery can put in a session's history.
 */

/**
 * How deep a delivery may nest. The documented shape goes 4 levels (analysis.sentiment.conversation.score); session
 * variables and extractedData are the customer's own and get the rest.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The longest string, object keys included, in bytes as sent (an escape counts as written). The longest documented
 * strings are the analysis summary and explanations, a few hundred bytes in the examples; 16 KiB is far past any of
 * them, and still keeps one value from filling a Web UI page or an outcome record.
 */
export const MAX_JSON_STRING_BYTES = 16 * 1024;

/** Shown in a field name: enough segments to find the place, never a payload's worth. */
const MAX_FIELD_SEGMENTS = 6;
const MAX_KEY_CHARS = 64;

export interface BoundsProblem {
  /** Where, as zod names a path: `metadata.sessionVariables.nested.0`. */
  field: string;
  message: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index of the quote that closes the string opened at `open`, or the end of the body if none does. */
function closingQuote(raw: Buffer, open: number): number {
  let at = raw.indexOf(QUOTE, open + 1);
  while (at !== -1) {
    let backslashes = 0;
    while (raw[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = raw.indexOf(QUOTE, at + 1);
  }
  return raw.length;
}

function fieldOf(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  const shown = path.slice(0, MAX_FIELD_SEGMENTS).join('.');
  return path.length > MAX_FIELD_SEGMENTS ? `${shown}.…` : shown;
}

/**
 * The first place the body breaks a bound, or undefined. It does not validate JSON: a malformed body is left to the
 * parser, which names it; this only has to be right for well-formed input and never throw on the rest.
 */
export function jsonBoundsProblem(raw: Buffer): BoundsProblem | undefined {
  const path: (string | number)[] = []; // per open container: the current key, or the current index
  const inObject: boolean[] = [];
  let expectKey = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === 0x7b || byte === 0x5b) {
      // { or [
      if (inObject.length >= MAX_JSON_DEPTH) {
        return { field: fieldOf(path), message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
      }
      inObject.push(byte === 0x7b);
      path.push(byte === 0x7b ? '' : 0);
      expectKey = byte === 0x7b;
    } else if (byte === 0x7d || byte === 0x5d) {
      // } or ]
      inObject.pop();
      path.pop();
      expectKey = false;
    } else if (byte === 0x2c && path.length > 0) {
      // , moves to the next element or the next key
      const top = path.length - 1;
      if (inObject[top]) expectKey = true;
      else path[top] = (path[top] as number) + 1;
    } else if (byte === QUOTE) {
      const close = closingQuote(raw, i);
      if (expectKey) {
        path[path.length - 1] = raw.toString('utf8', i + 1, Math.min(close, i + 1 + MAX_KEY_CHARS));
        expectKey = false;
      }
      const bytes = close - i - 1;
      if (bytes > MAX_JSON_STRING_BYTES) {
        return { field: fieldOf(path), message: `is ${bytes} bytes long, over ${MAX_JSON_STRING_BYTES}` };
      }
      i = close;
    }
  }
  return undefined;
}
