import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export const ALERTS_FILE = path.resolve(__dirname, '../../ops/prometheus/alerts.yml');
export const ALERT_TESTS_FILE = path.resolve(__dirname, '../../ops/prometheus/alerts.test.yml');
export const DASHBOARD_FILE = path.resolve(__dirname, '../../ops/grafana/agntix-dashboard.json');

/** The PromQL of one alert rule or dashboard panel, and where it comes from. */
export interface Query {
  where: string;
  expr: string;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}

export function alertRules(): Array<Query & { alert: string; runbook?: string }> {
  const file = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return file.groups.flatMap((g) =>
    g.rules.map((r) => ({
      alert: r.alert ?? '',
      where: `alert ${r.alert ?? r.record}`,
      expr: r.expr,
      runbook: r.annotations?.runbook,
    })),
  );
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

export function dashboardQueries(): Query[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: Panel[] };
  const all = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...all(p.panels ?? [])]);
  return all(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.expr ? [{ where: `panel "${p.title ?? '?'}"`, expr: t.expr }] : [])),
  );
}

/**
 * promtool, if this machine has it: PROMTOOL, `promtool` on PATH, or the copy .ci/run extracts from Debian's
 * prometheus package into ~/.cache/agntix-temporal.
 */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cached = path.join(homedir(), '.cache/agntix-temporal/promtool/promtool');
  for (const candidate of [env.PROMTOOL, 'promtool', cached]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}
