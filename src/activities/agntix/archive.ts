import { Context, log } from '@temporalio/activity';
import type { TranscriptRef } from '../../contracts';
import type { AgntixClient, TranscriptMessage } from './client';
import { withQuickRetries } from './quickRetries';
import type { TranscriptStore } from './transcripts';

/*
 * The transcript archive survives a flaky or down Agntix API: each page is saved as it arrives and the activity
 * resumes after the pages it already has instead of refetching from page 1 (long archives also heartbeat a cursor)
 * (its retry budget, hours long, is in src/workflows/activityProxies.ts). A page that fails is asked again twice,
 * quickly, before the attempt gives up: a request that fails now and then costs a second, not a backoff.
 */

export interface ArchiveDeps {
  agntix: AgntixClient;
  transcripts: TranscriptStore;
  pageSize: number;
  /** A bound on pages, so an API that never reports its last page cannot loop an activity forever. */
  maxPages: number;
}

/** What a retried attempt resumes from: the next page to fetch, and the page count once the API has said it. */
interface ArchiveCursor {
  nextPage: number;
  totalPages?: number;
}

function cursorOf(details: unknown): ArchiveCursor | undefined {
  const c = details as Partial<ArchiveCursor> | undefined;
  return typeof c?.nextPage === 'number' && c.nextPage >= 1
    ? { nextPage: c.nextPage, totalPages: c.totalPages }
    : undefined;
}

/** Fetches every page of a session's transcript, resuming after the pages a previous attempt saved, and stores it. */
export async function archiveTranscript(deps: ArchiveDeps, sessionId: string): Promise<TranscriptRef> {
  const ctx = Context.current();
  const heartbeat = heartbeatOnceLong(ctx);
  const cursor = cursorOf(ctx.info.heartbeatDetails);
  // Without a cursor (a first attempt, or the background archive that follows one cut short by the transcript wait)
  // the pages saved so far are still the place to resume from: a closed session's transcript does not change.
  const pages = await deps.transcripts.loadPages(sessionId, cursor ? cursor.nextPage - 1 : deps.maxPages);
  let totalPages = cursor?.totalPages;
  let page = pages.length + 1;
  let last = totalPages !== undefined && pages.length >= totalPages;
  for (; !last && page <= deps.maxPages; page++) {
    const result = await fetchPage(deps, sessionId, page, () => heartbeat({ nextPage: page, totalPages }));
    totalPages = result.pagination?.totalPages ?? result.meta?.totalPages ?? totalPages;
    // Loop on totalPages whatever page size the API chose; stop on an empty page if it reports none.
    last = result.data.length === 0 || (totalPages !== undefined && page >= totalPages);
    if (result.data.length > 0) {
      await deps.transcripts.savePage(sessionId, page, result.data);
      pages.push(result.data);
    }
    heartbeat({ nextPage: page + 1, totalPages });
  }
  if (!last) log.warn('transcript truncated at the page bound', { sessionId, page });
  const messages: TranscriptMessage[] = pages.flat();
  const ref = await deps.transcripts.put(sessionId, messages);
  return { ref, messages: messages.length, pages: Math.min(page - 1, deps.maxPages) };
}

function fetchPage(deps: ArchiveDeps, sessionId: string, page: number, beat: () => void) {
  return withQuickRetries(() => deps.agntix.getMessagesPage(sessionId, page, deps.pageSize), beat);
}

/**
 * Heartbeats only once the archive has run for a while. A heartbeat is a billed action, and the usual archive (a few
 * pages) ends in well under a second; a long one (a big transcript, a slow API) heartbeats so that a lost worker is
 * noticed within the heartbeat timeout rather than the 30-minute start-to-close, and past that the SDK throttles
 * the heartbeats to one per 80 % of the timeout. A retry resumes from the pages already saved either way.
 */
export const HEARTBEAT_AFTER_MS = 10_000;
function heartbeatOnceLong(ctx: Context): (cursor: ArchiveCursor) => void {
  const startedAt = Date.now();
  return (cursor) => {
    if (Date.now() - startedAt >= HEARTBEAT_AFTER_MS) ctx.heartbeat(cursor);
  };
}
