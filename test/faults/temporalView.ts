import type { Client } from '@temporalio/client';
import { agntixEventSignal, FOLLOW_UP_WORKFLOW_TYPE, SESSION_WORKFLOW_TYPE } from '../../src/contracts';

/*
 * What Temporal itself says about the run, read through the public client: the runs of every workflow (visibility,
 * by type), and for the sessions checked, their histories.
 */

export interface Run {
  workflowId: string;
  runId: string;
  status: string;
  historyBytes?: number;
  historyEvents?: number;
}

export interface HistoryFacts {
  events: number;
  /** agntixEvent signals recorded: one per Svix message at most, however often it was redelivered. */
  signals: number;
  longestTimerSeconds: number;
}

const FOLLOW_UP_ID = /^followup-(.+)-(\d+)$/;

/** The original session of a follow-up workflow id, followup-<root>-<attempt>. */
export const rootOfFollowUp = (workflowId: string) => FOLLOW_UP_ID.exec(workflowId)?.[1];

async function list(client: Client, query: string): Promise<Run[]> {
  const runs: Run[] = [];
  for await (const info of client.workflow.list({ query })) {
    runs.push({
      workflowId: info.workflowId,
      runId: info.runId,
      status: info.status.name,
      historyBytes: info.historySize,
      historyEvents: info.historyLength,
    });
  }
  return runs;
}

const byId = (runs: Run[]) => {
  const map = new Map<string, Run[]>();
  for (const run of runs) map.set(run.workflowId, [...(map.get(run.workflowId) ?? []), run]);
  return map;
};

export async function sessionRuns(client: Client): Promise<Map<string, Run[]>> {
  return byId(await list(client, `WorkflowType = '${SESSION_WORKFLOW_TYPE}'`));
}

export async function followUpRuns(client: Client): Promise<Map<string, Run[]>> {
  return byId(await list(client, `WorkflowType = '${FOLLOW_UP_WORKFLOW_TYPE}'`));
}

export async function runningIds(client: Client): Promise<string[]> {
  return (await list(client, `ExecutionStatus = 'Running'`)).map((r) => r.workflowId);
}

/** Runs a workflow id has, asked directly (describe), for an id visibility has not listed (yet). */
export async function describeRun(client: Client, workflowId: string): Promise<Run | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: d.runId, status: d.status.name };
  } catch {
    return undefined;
  }
}

export async function historyFacts(client: Client, workflowId: string): Promise<HistoryFacts | undefined> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    let signals = 0;
    let longestTimerSeconds = 0;
    for (const event of events) {
      if (event.workflowExecutionSignaledEventAttributes?.signalName === agntixEventSignal.name) signals++;
      const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
      if (timeout) longestTimerSeconds = Math.max(longestTimerSeconds, Number(timeout.seconds ?? 0));
    }
    return { events: events.length, signals, longestTimerSeconds };
  } catch {
    return undefined;
  }
}

/** Maps over items with at most `limit` in flight, so the checks do not flood the dev server. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
