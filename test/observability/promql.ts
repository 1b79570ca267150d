/*
 * Just enough PromQL reading to check the dashboard and the alert rules against what the service exports: the series
 * an expression selects, the labels it matches on and the labels it groups by. Syntax itself is promtool's job.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
]);
const KEYWORDS_WITH_ARG = new Set(['offset']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** Grafana's variables as a plain duration, so an expression reads as PromQL. */
export const withoutGrafanaVariables = (expr: string) =>
  expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{?\w+\}?/g, '5m');

const blankStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');

/** The series names an expression selects (metric names, not functions, keywords, labels or numbers). */
export function seriesNames(expr: string): Set<string> {
  const text = blankStrings(withoutGrafanaVariables(expr))
    .replace(GROUPING, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  const tokens = [...text.matchAll(/[0-9.][a-zA-Z0-9_.]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g)];
  tokens.forEach((match, i) => {
    const token = match[0];
    if (/^[0-9.]/.test(token)) return; // a number or a duration
    if (KEYWORDS.has(token) || KEYWORDS_WITH_ARG.has(token)) return;
    if (KEYWORDS_WITH_ARG.has(tokens[i - 1]?.[0] ?? '')) return;
    if (
      text
        .slice(match.index + token.length)
        .trimStart()
        .startsWith('(')
    )
      return; // a function
    names.add(token);
  });
  return names;
}

/** The labels an expression groups or joins by, and the labels each selector matches on. */
export function labelsUsed(expr: string): {
  grouping: string[];
  matchers: Array<{ series: string; labels: string[] }>;
} {
  const text = blankStrings(withoutGrafanaVariables(expr));
  const grouping = [...text.matchAll(GROUPING)].flatMap((m) =>
    m[2]!
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
  const matchers = [...text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].map((m) => ({
    series: m[1]!,
    labels: [...m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  }));
  return { grouping, matchers };
}
