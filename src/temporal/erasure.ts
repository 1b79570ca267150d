import { isGrpcServiceError, type Client } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { SearchAttributes } from '../contracts';

/*
 * Finding and deleting the workflow histories that hold a customer's data: their sessions, the follow-ups of those
 * sessions' chains, the follow-up calls' sessions and the post-call workflows the rules started.
 */

/** One workflow run to delete. */
export interface WorkflowRun {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
}

/** Bound on the runs one erasure visits, so a query that matches far too much stops instead of deleting a namespace. */
export const MAX_RUNS = 1000;

/** Ids go into visibility queries quoted; anything beyond these characters is refused before it gets there. */
const SAFE_ID = /^[A-Za-z0-9._:@+-]{1,200}$/;
export const isSafeId = (id: string) => SAFE_ID.test(id);

async function list(client: Client, query: string, into: Map<string, WorkflowRun>): Promise<void> {
  for await (const wf of client.workflow.list({ query })) {
    if (into.size >= MAX_RUNS) throw new Error(`more than ${MAX_RUNS} workflow runs match; erase in smaller steps`);
    into.set(wf.runId, { workflowId: wf.workflowId, runId: wf.runId, type: wf.type, status: wf.status.name });
  }
}

/**
 * The runs about a customer: those of the given CRM contact, and every run reachable from the given workflow ids
 * through the chain (AgntixFollowUpOf) or as a child (ParentWorkflowId, RootWorkflowId: follow-ups, their calls,
 * the post-call workflows the rules started).
 */
export async function findRuns(
  client: Client,
  from: { crmContactId?: string; crmContactHashes?: string[]; workflowIds: string[] },
): Promise<WorkflowRun[]> {
  const runs = new Map<string, WorkflowRun>();
  if (from.crmContactId) {
    // The plain id is indexed only when it looks like one (contracts/searchIndex.ts); the keyed hash always is.
    const hashes = (from.crmContactHashes ?? []).filter(isSafeId).map((h) => `'${h}'`);
    const byHash = hashes.length > 0 ? ` OR ${SearchAttributes.crmContactHash.name} IN (${hashes.join(', ')})` : '';
    await list(client, `${SearchAttributes.crmContactId.name} = '${from.crmContactId}'${byHash}`, runs);
  }
  const visited = new Set<string>();
  const frontier = [...from.workflowIds, ...[...runs.values()].map((r) => r.workflowId)];
  while (frontier.length > 0) {
    const id = frontier.pop()!;
    if (visited.has(id) || !isSafeId(id)) continue;
    visited.add(id);
    const query =
      `WorkflowId = '${id}' OR ParentWorkflowId = '${id}' OR RootWorkflowId = '${id}' ` +
      `OR ${SearchAttributes.followUpOf.name} = '${id}'`;
    await list(client, query, runs);
    for (const run of runs.values()) if (!visited.has(run.workflowId)) frontier.push(run.workflowId);
  }
  return [...runs.values()];
}

/**
 * Deletes the runs' histories through Temporal's DeleteWorkflowExecution (a running one is terminated first), then
 * waits until each is gone, so that "deleted" is true when it is printed and a second erasure finds nothing. The
 * server deletes a recently closed run only once its close is acknowledged (history.transferProcessorUpdateAckInterval,
 * 30 s by default), hence the wait. Resolves with the runs it deleted; those already gone are left out. The SDK's
 * handles have no delete, so this is the raw call, in the client's namespace.
 */
export async function deleteRuns(client: Client, runs: WorkflowRun[], timeoutMs = 120_000): Promise<WorkflowRun[]> {
  const namespace = client.options.namespace;
  const execution = (run: WorkflowRun) => ({ workflowId: run.workflowId, runId: run.runId });
  const notFound = (err: unknown) => isGrpcServiceError(err) && err.code === grpcStatus.NOT_FOUND;
  const deleting: WorkflowRun[] = [];
  for (const run of runs) {
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: execution(run) });
      deleting.push(run);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  const gone = async (run: WorkflowRun) =>
    client.workflowService.describeWorkflowExecution({ namespace, execution: execution(run) }).then(
      () => false,
      (err: unknown) => {
        if (notFound(err)) return true;
        throw err;
      },
    );
  const deadline = Date.now() + timeoutMs;
  let pending = deleting;
  while (pending.length > 0) {
    const stillThere = await Promise.all(pending.map(async (run) => ((await gone(run)) ? undefined : run)));
    pending = stillThere.filter((run): run is WorkflowRun => run !== undefined);
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `Temporal accepted the deletion of ${pending.map((r) => r.workflowId).join(', ')} but has not done it yet`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return deleting;
}
