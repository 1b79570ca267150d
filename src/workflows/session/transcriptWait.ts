import { ActivityFailure } from '@temporalio/workflow';
import type { Skipped } from '../../activities';
import type { StepFailure, TranscriptRef } from '../../contracts';
import { archiveWithin, archiver, failureMessage, isSkipped } from '../activityProxies';

/*
 * How long a session's outcome waits for its transcript. In an Agntix outage the archive keeps trying for hours, and
 * the outcome, the follow-up and the automations must not wait for it: past the wait the outcome is recorded without
 * the transcript, and the transcript follows it as a `transcript-archived` event when the archive lands.
 */

/** The transcript if it was archived within the wait; else `late`, the archive going on, when there is one. */
export interface TranscriptInTime {
  transcript?: TranscriptRef;
  late?: Promise<TranscriptRef | undefined>;
}

const STEP = 'archive transcript';

/**
 * One activity bounded by the wait (its schedule-to-close timeout), so the usual case costs no timer; if that runs out, the archive goes on in a second
 * activity with the whole 24-hour budget, resuming from the pages the first one saved.
 */
export async function archiveBoundedByWait(
  sessionId: string,
  waitSeconds: number,
  onFailure: (failure: StepFailure) => void,
): Promise<TranscriptInTime> {
  // A wait of 0 (TRANSCRIPT_WAIT_SECONDS=0) means the outcome never waits: a schedule-to-close of 0 would mean no bound.
  if (waitSeconds <= 0) return { late: archiveWithFullBudget(sessionId, onFailure) };
  try {
    return { transcript: checked(await archiveWithin(sessionId, waitSeconds), onFailure) };
  } catch (err) {
    if (err instanceof ActivityFailure && err.retryState === 'TIMEOUT') {
      return { late: archiveWithFullBudget(sessionId, onFailure) };
    }
    onFailure({ step: STEP, message: failureMessage(err) });
    return {};
  }
}

/** The archive with its 24-hour budget: the transcript, or undefined with the failure or the skip noted. */
function archiveWithFullBudget(sessionId: string, onFailure: (failure: StepFailure) => void) {
  return archiver.archiveTranscript(sessionId).then(
    (archived) => checked(archived, onFailure),
    (err: unknown) => void onFailure({ step: STEP, message: failureMessage(err) }),
  );
}

/** The transcript, or undefined with the reason noted when the archive was skipped (no API key). */
function checked(archived: TranscriptRef | Skipped, onFailure: (failure: StepFailure) => void) {
  if (!isSkipped(archived)) return archived;
  onFailure({ step: STEP, message: `skipped: ${archived.skipped}` });
  return undefined;
}
