import { storeSystem } from '../activities/sinks/store/system';
import { TRANSCRIPT_RECEIVERS } from '../automations/activities';
import { sharingPolicyFrom } from '../config/policies';
import { isSessionId } from '../contracts/sessionIds';
import { createLogger } from '../logging';
import { createPostgresLinkKeys } from '../store/postgresLinkKeys';
import { createPostgresPool } from '../store/postgres';
import { createPostgresTranscriptStore } from '../store/postgresTranscripts';
import {
  readerCredential,
  signTranscriptLink,
  transcriptLinkSettingsFrom,
  type TranscriptLinkKeys,
  type TranscriptLinkSettings,
} from '../store/transcriptLinks';
import { fatal } from './fatal';
import { loadOperatorConfig } from './operatorConfig';

const USAGE = `Usage: npm run transcript-link -- --session <session id> --system <system> | --session <session id> --revoke
  --session <id> --system <name>   a fresh link to the session's transcript for that system, and the credential
                                   its requests present (only systems allowed transcripts get one)
  --session <id> --revoke          refuses every link issued for the session from now on`;

export interface TranscriptLinkDeps {
  links: TranscriptLinkSettings;
  keys: TranscriptLinkKeys;
  transcripts: { get(sessionId: string): Promise<unknown[] | undefined> };
  /** The systems allowed transcripts: the registry's declarations (its stores aside) and your TRANSCRIPT_RECEIVERS. */
  allowed: string[];
  now?: () => number;
}

/** `npm run transcript-link`: issues a fresh link to one system allowed transcripts, or revokes a session's links. */
export async function runTranscriptLink(
  argv: string[],
  deps: TranscriptLinkDeps,
  out: (text: string) => void,
): Promise<number> {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sessionId = value('--session');
  const system = value('--system');
  const revoke = argv.includes('--revoke');
  if (!isSessionId(sessionId) || revoke === Boolean(system)) {
    out(USAGE);
    return 2;
  }
  if (revoke) {
    out(
      (await deps.keys.revoke(sessionId))
        ? `Revoked every transcript link of ${sessionId}: each is refused from now on; a link issued later works.`
        : `No transcript link was issued for ${sessionId}: nothing to revoke.`,
    );
    return 0;
  }
  if (!deps.allowed.includes(system!)) {
    out(`${system} is not sent transcripts; the systems that are: ${deps.allowed.join(', ') || 'none'}.`);
    return 1;
  }
  if (!(await deps.transcripts.get(sessionId))) {
    out(`No transcript is stored for ${sessionId}.`);
    return 1;
  }
  const now = deps.now?.() ?? Date.now();
  const link = signTranscriptLink(deps.links, sessionId, system!, await deps.keys.keyOf(sessionId), now);
  const until = new Date(now + deps.links.ttlSeconds * 1000).toISOString();
  out(`Transcript link for ${system}, valid until ${until} (TRANSCRIPT_LINK_TTL_SECONDS):`);
  out(`  ${link}`);
  out(`Served only to requests presenting ${system}'s reader credential:`);
  out(`  Authorization: Bearer ${readerCredential(deps.links.secret, system!)}`);
  out(`  (a browser asks for it: user ${system}, password the credential after "Bearer ")`);
  return 0;
}

async function main() {
  const config = loadOperatorConfig();
  if (!config.DATABASE_URL) {
    console.log('Transcript links are served from PostgreSQL: set DATABASE_URL (without it no link is ever issued).');
    process.exitCode = 1;
    return;
  }
  const pool = createPostgresPool(config.DATABASE_URL, createLogger('silent'), 'agntix-transcript-link');
  try {
    const links = transcriptLinkSettingsFrom(config);
    const stores = new Set(storeSystem.sinkNames);
    process.exitCode = await runTranscriptLink(
      process.argv.slice(2),
      {
        links,
        keys: createPostgresLinkKeys(pool),
        transcripts: createPostgresTranscriptStore(pool, links, config.PAYLOAD_ENCRYPTION_KEYS),
        allowed: [
          ...(sharingPolicyFrom(config).transcriptWith ?? []).filter((name) => !stores.has(name)),
          ...TRANSCRIPT_RECEIVERS,
        ],
      },
      (t) => console.log(t),
    );
  } finally {
    await pool.end();
  }
}

if (require.main === module) main().catch(fatal);
