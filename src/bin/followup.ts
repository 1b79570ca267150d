import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  FOLLOW_UP_WORKFLOW_TYPE,
  SearchAttributes,
  cancelFollowUpUpdate,
  dialAgainUpdate,
  markPlacedUpdate,
  rescheduleFollowUpUpdate,
  type FollowUpStatus,
} from '../contracts';
import { withClient } from '../temporal/operatorClient';
import { fatal } from './fatal';
import { loadOperatorConfig } from './operatorConfig';

const USAGE = `Usage: npm run followup -- <command>
  list [--all | --needs-operator]         scheduled follow-ups (--all: also finished ones;
                                          --needs-operator: those waiting for your word on an uncertain dial)
  cancel <follow-up id> [reason...]       cancel a scheduled follow-up (or one that needs an operator)
  reschedule <follow-up id> <ISO time> [--force]
                                          move it; --force allows a time outside calling hours
  mark-placed <follow-up id> <call session id> [note...]
                                          needs-operator: the call did reach the customer
  dial-again <follow-up id> [reason...]   needs-operator: it did not; dial once more`;

function line(s: FollowUpStatus): string {
  return `${s.followUpId}  ${s.state}  attempt ${s.attempt}  at ${s.scheduledAt}${s.reason ? `  (${s.reason})` : ''}`;
}

/**
 * `npm run followup -- list|cancel|reschedule|mark-placed|dial-again`: the operator's side of follow-up calls,
 * through Temporal updates.
 */
export async function runFollowUpCommand(argv: string[], client: Client, out: (text: string) => void): Promise<number> {
  const [command, id, ...rest] = argv;
  if (command === 'list') {
    const running = argv.includes('--all') ? '' : " AND ExecutionStatus = 'Running'";
    const waiting = argv.includes('--needs-operator')
      ? ` AND ${SearchAttributes.followUpState.name} = 'needs-operator'`
      : '';
    const query = `WorkflowType = '${FOLLOW_UP_WORKFLOW_TYPE}'${running}${waiting}`;
    let count = 0;
    for await (const wf of client.workflow.list({ query })) {
      const at = wf.typedSearchAttributes.get(SearchAttributes.followUpAt)?.toISOString() ?? '?';
      const of = wf.typedSearchAttributes.get(SearchAttributes.followUpOf) ?? '?';
      const crm = wf.typedSearchAttributes.get(SearchAttributes.crmContactId);
      const state = wf.typedSearchAttributes.get(SearchAttributes.followUpState);
      out(
        `${wf.workflowId}  ${wf.status.name}  at ${at}  of ${of}${crm ? `  CRM ${crm}` : ''}${state ? `  ${state}` : ''}`,
      );
      count += 1;
    }
    if (count === 0) out('no follow-ups found');
    return 0;
  }
  if (['cancel', 'reschedule', 'mark-placed', 'dial-again'].includes(command ?? '') && id) {
    const handle = client.workflow.getHandle(id);
    try {
      if (command === 'cancel') {
        out(
          line(await handle.executeUpdate(cancelFollowUpUpdate, { args: [{ reason: rest.join(' ') || undefined }] })),
        );
        return 0;
      }
      if (command === 'dial-again') {
        out(line(await handle.executeUpdate(dialAgainUpdate, { args: [{ reason: rest.join(' ') || undefined }] })));
        return 0;
      }
      if (command === 'mark-placed') {
        const [sessionId, ...note] = rest;
        if (!sessionId) {
          out(USAGE);
          return 2;
        }
        const update = { sessionId, note: note.join(' ') || undefined };
        out(line(await handle.executeUpdate(markPlacedUpdate, { args: [update] })));
        return 0;
      }
      const at = rest.find((a) => !a.startsWith('--'));
      if (!at) {
        out(USAGE);
        return 2;
      }
      const force = rest.includes('--force');
      out(line(await handle.executeUpdate(rescheduleFollowUpUpdate, { args: [{ at, force }] })));
      return 0;
    } catch (err) {
      // The workflow's validator says why (past, outside calling hours, no longer scheduled): show just that.
      if (err instanceof WorkflowUpdateFailedError) {
        out(`refused: ${err.cause?.message ?? err.message}`);
        return 1;
      }
      if (err instanceof WorkflowNotFoundError) {
        out(`refused: no running follow-up ${id}`);
        return 1;
      }
      throw err;
    }
  }
  out(USAGE);
  return 2;
}

async function main() {
  const config = loadOperatorConfig();
  process.exitCode = await withClient(config, (client) =>
    runFollowUpCommand(process.argv.slice(2), client, (text) => console.log(text)),
  );
}

if (require.main === module) main().catch(fatal);
