import { proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../../../../src/activities';
import type { ContactDetails, ExternalEvent } from '../../../../src/contracts';
import { SINK_OPTIONS } from '../../../../src/workflows/activityProxies';

/** One write to one external system with the retry policy the sessions give it, and nothing else. */
export async function oneSinkWrite(sink: string, event: ExternalEvent, contact: ContactDetails): Promise<void> {
  await proxyActivities<SessionActivities>(SINK_OPTIONS).recordOutcome(sink, event, contact);
}
