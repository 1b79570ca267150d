import { ApplicationFailure } from '@temporalio/activity';
import type { ContactDetails, ExternalEvent } from '../../contracts';
import type { OutcomeSink } from './types';

/** The activity that writes to the external systems. */
export const createSinkActivities = (sinks: OutcomeSink[]) => ({
  /** Writes one outcome event to one external system, so a failing system never blocks the others. */
  async recordOutcome(sinkName: string, event: ExternalEvent, contact?: ContactDetails): Promise<void> {
    const sink = sinks.find((s) => s.name === sinkName);
    if (!sink) throw ApplicationFailure.nonRetryable(`no external system named ${sinkName}`, 'UnknownSink');
    await sink.record(event, contact);
  },
});
