import express, { type Router } from 'express';
import type { TranscriptMessage } from '../contracts/transcripts';
import type { Logger } from '../logging';
import {
  checkTranscriptLink,
  presentsCredentialOf,
  SYSTEM_NAME,
  type TranscriptLinkKeys,
} from '../store/transcriptLinks';

export interface TranscriptRouteDeps {
  /** Reads the shared store (PostgreSQL); any replica serves any link. */
  transcripts: { get(sessionId: string): Promise<TranscriptMessage[] | undefined> };
  /** The sessions' link keys; a session without one has had its links revoked (erasure). */
  linkKeys: Pick<TranscriptLinkKeys, 'find'>;
  linkSecret: string;
  logger: Logger;
}

const MAX_SESSION_ID = 256;

const REFUSED = {
  invalid: 'invalid_signature',
  expired: 'link_expired',
  revoked: 'link_revoked',
} as const;

/**
 * GET /transcripts/:sessionId?system=&expires=&sig=: the links the workers send to the external systems. A link
 * names the one system it was issued to and is served only to a request presenting that system's reader credential
 * (Authorization: Bearer, or Basic with the system's name as user: a browser asks a CRM user for it), so a link
 * copied out of that system is useless elsewhere; it expires after TRANSCRIPT_LINK_TTL_SECONDS, and erasure revokes
 * it. Transcripts are customer data: never cached, never logged.
 */
export function transcriptRouter(deps: TranscriptRouteDeps): Router {
  const router = express.Router();
  router.get('/transcripts/:sessionId', async (req, res) => {
    const { sessionId } = req.params;
    const system = typeof req.query.system === 'string' && SYSTEM_NAME.test(req.query.system) ? req.query.system : '';
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' });
    if (!system || sessionId.length > MAX_SESSION_ID) {
      res.status(403).json({ error: REFUSED.invalid });
      return;
    }
    const authorization = req.header('authorization');
    if (!presentsCredentialOf(deps.linkSecret, system, authorization)) {
      deps.logger.info(
        { outcome: authorization ? 'other-credential' : 'no-credential', system },
        'transcript link refused',
      );
      if (!authorization) res.set('WWW-Authenticate', `Basic realm="transcripts for ${system}", charset="UTF-8"`);
      res.status(authorization ? 403 : 401).json({ error: authorization ? 'not_this_system' : 'credential_required' });
      return;
    }
    const check = checkTranscriptLink(deps.linkSecret, sessionId, await deps.linkKeys.find(sessionId), req.query);
    if (check !== 'valid') {
      deps.logger.info({ outcome: check, system }, 'transcript link refused');
      res.status(403).json({ error: REFUSED[check] });
      return;
    }
    const messages = await deps.transcripts.get(sessionId);
    if (!messages) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    deps.logger.info({ sessionId, system, messages: messages.length }, 'transcript served');
    res.json({ sessionId, messages });
  });
  return router;
}
