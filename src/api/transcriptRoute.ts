import express, { type Router } from 'express';
import type { TranscriptMessage } from '../contracts/transcripts';
import type { Logger } from '../logging';
import { checkTranscriptLink } from '../store/transcriptLinks';

export interface TranscriptRouteDeps {
  /** Reads the shared store (PostgreSQL); any replica serves any link. */
  transcripts: { get(sessionId: string): Promise<TranscriptMessage[] | undefined> };
  linkSecret: string;
  logger: Logger;
}

const MAX_SESSION_ID = 256;

/**
 * GET /transcripts/:sessionId?expires=&sig=: the links the workers send to the external systems. The signature is
 * the credential (an HMAC over the session id and expiry), so a CRM can follow the link without an account here;
 * it expires after TRANSCRIPT_LINK_TTL_SECONDS. Transcripts are customer data: never cached, never logged.
 */
export function transcriptRouter(deps: TranscriptRouteDeps): Router {
  const router = express.Router();
  router.get('/transcripts/:sessionId', async (req, res) => {
    const { sessionId } = req.params;
    res.set({ 'Cache-Control': 'private, no-store', 'Referrer-Policy': 'no-referrer' });
    const check =
      sessionId.length > MAX_SESSION_ID
        ? 'invalid'
        : checkTranscriptLink(deps.linkSecret, sessionId, req.query.expires, req.query.sig);
    if (check !== 'valid') {
      deps.logger.info({ outcome: check }, 'transcript link refused');
      res.status(403).json({ error: check === 'expired' ? 'link_expired' : 'invalid_signature' });
      return;
    }
    const messages = await deps.transcripts.get(sessionId);
    if (!messages) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    deps.logger.info({ sessionId, messages: messages.length }, 'transcript served');
    res.json({ sessionId, messages });
  });
  return router;
}
