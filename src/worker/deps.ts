import path from 'node:path';
import type { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import { createAgntixClient } from '../activities/agntix/client';
import { createCallsClient } from '../activities/agntix/calls';
import type { OutcomeSink, RemoteErasure } from '../activities/sinks/types';
import { createLocalTranscriptStore, type TranscriptStore } from '../activities/agntix/transcripts';
import { SYSTEMS } from '../activities/sinks/registry';
import { createSqliteSink } from '../activities/sinks/store/sqliteStore';
import { storeSystem } from '../activities/sinks/store/system';
import type { ExternalSystem, SystemContext } from '../activities/sinks/system';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { loadRuleSet } from '../automations/ruleSchema';
import * as automationWorkflows from '../automations/workflows';
import { DEVELOPMENT_DIAL_LEDGER_SECRET } from '../store/dialLedger';
import { createPostgresDialLedger } from '../store/postgresDialLedger';
import { createPostgresPool } from '../store/postgres';
import { createSqliteDialLedger } from '../store/sqliteDialLedger';
import { createPostgresTranscriptStore } from '../store/postgresTranscripts';
import { createPostgresLinkKeys } from '../store/postgresLinkKeys';
import {
  createTranscriptLinkIssuer,
  withTranscriptLinks,
  type TranscriptLinkIssuer,
} from '../activities/sinks/transcriptLinks';
import { transcriptLinkSettingsFrom } from '../store/transcriptLinks';
import { sessionPolicyFrom, transcriptDirFrom } from '../config/policies';

/** Builds the activities' clients and external systems from configuration. */
export function activityDepsFrom(
  config: Config,
  logger: Logger,
  systems: readonly ExternalSystem[] = SYSTEMS,
): ActivityDeps & { close(): Promise<void> } {
  const { pool, closers } = sharedStoreFrom(config, logger);
  const context: SystemContext = { config, pool, onClose: (close) => closers.unshift(close) };
  const transcriptLinks = pool
    ? createTranscriptLinkIssuer(transcriptLinkSettingsFrom(config), createPostgresLinkKeys(pool))
    : undefined;
  const sinks = withLinks(
    systems.flatMap((system) => system.build(context)),
    transcriptLinks,
  );
  const dialLedger = dialLedgerFrom(config, logger, pool, closers);
  if (pool && !config.TRANSCRIPT_LINK_SECRET) {
    logger.warn('TRANSCRIPT_LINK_SECRET is not set: transcript links are signed with a development key');
  }
  if (!config.PAYLOAD_ENCRYPTION_KEYS) {
    logger.warn('PAYLOAD_ENCRYPTION_KEYS is not set: workflow payloads and transcripts are kept in plain text');
  }
  if (!config.AGNTIX_API_KEY) {
    logger.warn('AGNTIX_API_KEY is not set: transcripts and reconciliation with the Agntix API will be skipped');
  }
  return {
    agntix: config.AGNTIX_API_KEY
      ? createAgntixClient({
          baseUrl: config.AGNTIX_API_URL,
          apiKey: config.AGNTIX_API_KEY,
          paths: {
            session: config.AGNTIX_SESSION_PATH,
            messages: config.AGNTIX_MESSAGES_PATH,
            sessions: config.AGNTIX_SESSIONS_PATH,
          },
          timeoutMs: config.AGNTIX_API_TIMEOUT_MS,
        })
      : undefined,
    calls: config.AGNTIX_API_KEY
      ? createCallsClient({
          baseUrl: config.AGNTIX_API_URL,
          apiKey: config.AGNTIX_API_KEY,
          path: config.AGNTIX_CALLS_START_PATH,
          timeoutMs: config.FOLLOWUP_CALL_TIMEOUT_MS,
        })
      : undefined,
    transcripts: transcriptStoreFrom(config, pool),
    sinks,
    transcriptLinks,
    dialLedger,
    dialAbsenceSettleMs: config.FOLLOWUP_ABSENCE_SETTLE_SECONDS * 1000,
    // Rules may start the engineers' own workflows only, never the core's session or follow-up workflow.
    rules: loadRuleSet(config.AUTOMATION_RULES_FILE, Object.keys(automationWorkflows)),
    transcriptPageSize: config.TRANSCRIPT_PAGE_SIZE,
    maxTranscriptPages: config.TRANSCRIPT_MAX_PAGES,
    // The systems built here are the ones whose declarations set the sharing defaults.
    policy: sessionPolicyFrom(
      config,
      sinks.map((s) => s.name),
      systems,
    ),
    async close() {
      for (const close of closers) await close();
    },
  };
}

/**
 * With PostgreSQL the API serves transcripts: each external system is sent a link of its own (the stores this
 * service keeps take the plain reference). Without it a reference is a file of this host, which no system can open.
 */
function withLinks(sinks: OutcomeSink[], issuer: TranscriptLinkIssuer | undefined): OutcomeSink[] {
  if (!issuer) return sinks;
  return sinks.map((sink) => (sink.erasure ? sink : withTranscriptLinks(sink, issuer)));
}

/** With DATABASE_URL every replica shares PostgreSQL: one pool for the process, ended last at shutdown. */
function sharedStoreFrom(config: Config, logger: Logger): { pool?: Pool; closers: Array<() => unknown> } {
  const pool = config.DATABASE_URL ? createPostgresPool(config.DATABASE_URL, logger, 'agntix-worker') : undefined;
  return { pool, closers: pool ? [() => pool.end()] : [] };
}

/**
 * The dial ledger lives in the shared store when there is one, so every deployment sharing it sees every dial; else
 * in the SQLite outcome file of this host (its own connection: the store may be off), so it shares its backups.
 */
function dialLedgerFrom(config: Config, logger: Logger, pool: Pool | undefined, closers: Array<() => unknown>) {
  if (!config.DIAL_LEDGER_SECRET) {
    logger.warn('DIAL_LEDGER_SECRET is not set: the dial ledger is keyed with a development key');
  }
  const secret = config.DIAL_LEDGER_SECRET ?? DEVELOPMENT_DIAL_LEDGER_SECRET;
  if (pool) return createPostgresDialLedger(pool, secret);
  const file =
    config.OUTCOME_SQLITE_PATH && config.OUTCOME_SQLITE_PATH !== 'off'
      ? config.OUTCOME_SQLITE_PATH
      : path.join(config.DATA_DIR, 'outcomes.sqlite');
  const { db } = createSqliteSink(file);
  closers.unshift(() => db.close());
  return createSqliteDialLedger(db, secret);
}

function transcriptStoreFrom(config: Config, pool: Pool | undefined): TranscriptStore {
  return pool
    ? createPostgresTranscriptStore(pool, transcriptLinkSettingsFrom(config), config.PAYLOAD_ENCRYPTION_KEYS)
    : createLocalTranscriptStore(transcriptDirFrom(config), config.PAYLOAD_ENCRYPTION_KEYS);
}

/** What `npm run forget` reaches: this service's own store and transcripts, and the systems that offer deletion. */
export function storesFrom(
  config: Config,
  logger: Logger,
): {
  sinks: OutcomeSink[];
  transcripts: TranscriptStore;
  told: string[];
  erasers: RemoteErasure[];
  close(): Promise<void>;
} {
  const { pool, closers } = sharedStoreFrom(config, logger);
  const context: SystemContext = { config, pool, onClose: (close) => closers.unshift(close) };
  const remote = SYSTEMS.filter((s) => s !== storeSystem && s.configured(config));
  const erasers = remote.flatMap((s) => s.eraser?.(config) ?? []);
  return {
    sinks: storeSystem.build(context),
    transcripts: transcriptStoreFrom(config, pool),
    erasers,
    // Named from the settings alone: nothing is built for a system this command cannot reach.
    told: remote.filter((s) => !s.eraser).flatMap((s) => s.sinkNames),
    async close() {
      for (const close of closers) await close();
    },
  };
}
