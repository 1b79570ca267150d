import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { DEFAULT_RULES } from '../../src/automations/ruleSchema';
import { createLocalTranscriptStore } from '../../src/activities/agntix/transcripts';
import { createSqliteSink } from '../../src/activities/sinks/store/sqliteStore';
import { createSqliteDialLedger } from '../../src/store/sqliteDialLedger';
import { createSessionWorker } from '../../src/worker/createWorker';
import { testPolicy } from './policy';
import { testDataConverter, testKeyRing, type TestTemporal } from './temporal';

/**
 * The real session worker on the suite's dev server, with the real activities and the service's data converter. By
 * default it has no Agntix API, no external systems and a throwaway (encrypted) transcript folder; a test passes
 * what it exercises.
 */
export function createTestWorker(
  temporal: TestTemporal,
  taskQueue: string,
  workflowBundle: WorkflowBundleWithSourceMap,
  deps: Partial<ActivityDeps> = {},
  /** More activities, e.g. your own from src/automations/activities. */
  extraActivities: Record<string, (...args: never[]) => Promise<unknown>> = {},
) {
  return createSessionWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle,
    dataConverter: testDataConverter(),
    activities: {
      ...extraActivities,
      ...createActivities({
        transcripts: createLocalTranscriptStore(mkdtempSync(path.join(tmpdir(), 'transcripts-')), testKeyRing()),
        sinks: [],
        policy: testPolicy,
        rules: DEFAULT_RULES,
        transcriptPageSize: 100,
        maxTranscriptPages: 50,
        dialLedger: throwawayDialLedger(),
        dialAbsenceSettleMs: 500,
        ...deps,
      }),
    },
  });
}

/** A dial ledger of its own for one worker, in a throwaway SQLite file. */
export function throwawayDialLedger() {
  const { db } = createSqliteSink(path.join(mkdtempSync(path.join(tmpdir(), 'dial-ledger-')), 'outcomes.sqlite'));
  return createSqliteDialLedger(db, 'test dial ledger key, long enough for the rule');
}
