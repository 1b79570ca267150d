import type { Client } from '@temporalio/client';
import type { TranscriptStore } from '../activities/agntix/transcripts';
import type { ErasureSubject, OutcomeSink, RemoteErasure, RemoteErasureReport } from '../activities/sinks/types';
import { searchIndexFrom } from '../config/privacy';
import type { CustomerHasher } from '../temporal/customerHashes';
import { SESSION_WORKFLOW_TYPE } from '../contracts';
import { createLogger } from '../logging';
import { deleteRuns, findRuns, isSafeId } from '../temporal/erasure';
import { storesFrom } from '../worker/deps';
import { withClient } from '../temporal/operatorClient';
import { fatal } from './fatal';
import { loadOperatorConfig } from './operatorConfig';

const USAGE = `Usage: npm run forget -- --session <session id> | --crm-contact <contact id>
  --session <session id>       a session, the follow-ups of its chain, their calls and its post-call workflows
  --crm-contact <contact id>   every session of a CRM contact (its id in the CRM_CONTACT_VARIABLE session variable),
                               with all of the above`;

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export interface ForgetDeps {
  client: Client;
  sinks: OutcomeSink[];
  transcripts: TranscriptStore;
  /** The configured systems this service told but cannot erase; the sinks without erasure when absent. */
  told?: string[];
  /** The systems it wrote to that it can erase in, through their own deletion endpoints (HubSpot). */
  erasers?: RemoteErasure[];
  /** The session variable holding CRM ids (CRM_CONTACT_VARIABLE): the stores find a contact's rows by it. */
  crmContactVariable: string;
  /** Finds the sessions of a CRM id too free-form to be indexed in plain text (CUSTOMER_HASH_KEYS). */
  hasher?: CustomerHasher;
}

function subjectOf(argv: string[], variable: string): ErasureSubject | undefined {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sessionId = value('--session');
  const crmContactId = value('--crm-contact');
  if (sessionId && !crmContactId && isSafeId(sessionId)) return { sessionId };
  if (crmContactId && !sessionId && isSafeId(crmContactId)) return { crmContactId, variable };
  return undefined;
}

/**
 * `npm run forget`: removes what this service holds about a customer (workflow histories, transcripts, rows in its
 * own stores) and what it wrote to the systems it can erase in (HubSpot), prints what it removed system by system,
 * and says what it cannot reach and what is left to the operator. Idempotent: a second run finds nothing.
 * Exits 1 when a system could not be reached, naming the sessions to erase there again.
 */
export async function runForget(argv: string[], deps: ForgetDeps, out: (text: string) => void): Promise<number> {
  const subject = subjectOf(argv, deps.crmContactVariable);
  if (!subject) {
    out(USAGE);
    return 2;
  }
  const who = 'sessionId' in subject ? `session ${subject.sessionId}` : `CRM contact ${subject.crmContactId}`;
  const stores = deps.sinks.filter((s) => s.erasure);

  // The stores remember sessions beyond Temporal's retention: they lead to transcripts and histories too.
  const stored = new Map<OutcomeSink, string[]>();
  for (const store of stores) stored.set(store, await store.erasure!.sessionsOf(subject));
  const seeds = new Set(['sessionId' in subject ? [subject.sessionId] : [], ...stored.values()].flat());
  const runs = await findRuns(deps.client, {
    crmContactId: 'crmContactId' in subject ? subject.crmContactId : undefined,
    crmContactHashes: 'crmContactId' in subject ? deps.hasher?.crmContactCandidates(subject.crmContactId) : undefined,
    workflowIds: [...seeds],
  });
  const sessionIds = new Set([
    ...seeds,
    ...runs.filter((r) => r.type === SESSION_WORKFLOW_TYPE).map((r) => r.workflowId),
  ]);

  out(`Forgetting ${who}:`);
  // The systems over the wire first: their records are found by the session ids the histories and rows still give.
  const remote = await eraseRemote(deps.erasers ?? [], subject, [...sessionIds], out);
  const removed = { histories: 0, transcripts: 0, rows: 0 };
  for (const run of await deleteRuns(deps.client, runs)) {
    removed.histories += 1;
    out(`  workflow history  ${run.type} ${run.workflowId} (was ${run.status.toLowerCase()})`);
  }
  for (const id of sessionIds) {
    if (!(await deps.transcripts.remove(id))) continue;
    removed.transcripts += 1;
    out(`  transcript        ${id}`);
  }
  for (const store of stores) {
    const rows = await store.erasure!.forget([...sessionIds]);
    removed.rows += rows;
    if (rows > 0) out(`  stored rows       ${rows} in ${store.name}`);
  }

  const { histories, transcripts, rows } = removed;
  const remoteRemoved = remote.reduce((n, r) => n + (r.report?.removed.length ?? 0), 0);
  out(
    histories + transcripts + rows + remoteRemoved === 0 && remote.every((r) => r.report)
      ? `Nothing held about ${who}: already forgotten, or never seen.`
      : `Removed ${count(histories, 'workflow history', 'workflow histories')}, ` +
          `${count(transcripts, 'transcript', 'transcripts')} and ${count(rows, 'stored row', 'stored rows')}.`,
  );
  const told = deps.told ?? deps.sinks.filter((s) => !s.erasure).map((s) => s.name);
  out(
    `Not reached from here: ${told.length > 0 ? `${told.join(', ')} (told already: ask its owner), ` : ''}` +
      'Agntix itself, and any export or archive of the Temporal namespace (docs/privacy.md).',
  );
  for (const { name, report, failure } of remote) {
    for (const line of report?.left ?? []) out(`Left in ${name}: ${line}.`);
    if (failure) {
      out(
        `Not reached: ${name} failed (${failure}); once it answers, run npm run forget again for each of these ` +
          `sessions: ${[...sessionIds].join(', ') || 'none'}.`,
      );
    }
  }
  return remote.some((r) => r.failure) ? 1 : 0;
}

const column = (name: string) => `  ${name.padEnd(18)}`;

/** Each system in turn; one that fails is reported, and the others and the local erasure still run. */
async function eraseRemote(
  erasers: RemoteErasure[],
  subject: ErasureSubject,
  sessionIds: string[],
  out: (text: string) => void,
): Promise<Array<{ name: string; report?: RemoteErasureReport; failure?: string }>> {
  const results = [];
  for (const eraser of erasers) {
    try {
      const report = await eraser.forget(subject, sessionIds);
      for (const line of report.removed) out(`${column(eraser.name)}${line}`);
      results.push({ name: eraser.name, report });
    } catch (err) {
      results.push({ name: eraser.name, failure: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}

async function main() {
  const config = loadOperatorConfig();
  const deps = storesFrom(config, createLogger('silent'));
  try {
    const { sinks, transcripts, told, erasers } = deps;
    const { hasher } = searchIndexFrom(config);
    process.exitCode = await withClient(config, (client) =>
      runForget(
        process.argv.slice(2),
        { client, sinks, transcripts, told, erasers, hasher, crmContactVariable: config.CRM_CONTACT_VARIABLE },
        (t) => console.log(t),
      ),
    );
  } finally {
    await deps.close();
  }
}

if (require.main === module) main().catch(fatal);
