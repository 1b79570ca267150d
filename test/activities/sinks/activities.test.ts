import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSinkActivities } from '../../../src/activities/sinks/activities';
import type { OutcomeSink } from '../../../src/activities/sinks/types';
import type { ExternalEvent } from '../../../src/contracts';

/** An external system that keeps what it was told, or answers with the failure it is given. */
function system(name: string, failure?: Error): OutcomeSink & { told: string[] } {
  const told: string[] = [];
  return {
    name,
    told,
    record(event) {
      if (failure) return Promise.reject(failure);
      told.push(event.idempotencyKey);
      return Promise.resolve();
    },
  };
}

const event = { idempotencyKey: 's1:completed', kind: 'completed' } as unknown as ExternalEvent;
const writesTo = (...sinks: string[]) => sinks.map((sink) => ({ sink, event }));

describe('recordOutcomeEverywhere: one activity writes an event to every system, failures stay each its own', () => {
  it('writes every system that answers and reports the others: retryable, final, or with a Retry-After', async () => {
    const store = system('store');
    const down = system('webhook', ApplicationFailure.retryable('webhook answered 503', 'OutcomeWebhookUnavailable'));
    const refused = system('crm', ApplicationFailure.nonRetryable('HubSpot denied write calls (403)', 'Forbidden'));
    const limited = system(
      'queue',
      ApplicationFailure.create({ message: 'queue answered 429', type: 'RateLimited', nextRetryDelay: 3000 }),
    );
    const { recordOutcomeEverywhere } = createSinkActivities([store, down, refused, limited]);
    const failures = await new MockActivityEnvironment().run(
      recordOutcomeEverywhere,
      writesTo('store', 'webhook', 'crm', 'queue'),
    );
    expect(store.told).toEqual(['s1:completed']);
    expect(failures).toEqual(
      expect.arrayContaining([
        { sink: 'webhook', key: 's1:completed', message: 'webhook answered 503', final: false },
        { sink: 'crm', key: 's1:completed', message: 'HubSpot denied write calls (403)', final: true },
        { sink: 'queue', key: 's1:completed', message: 'queue answered 429', final: false, retryAfterMs: 3000 },
      ]),
    );
    expect(failures).toHaveLength(3);
  });

  it('does not heartbeat: a heartbeat is a billed action, and a retried attempt may write a system again', async () => {
    const store = system('store');
    const { recordOutcomeEverywhere } = createSinkActivities([store]);
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    expect(await env.run(recordOutcomeEverywhere, writesTo('store'))).toEqual([]);
    expect(beats).toEqual([]);
  });

  it('names a system it does not know as a final failure, and still writes the others', async () => {
    const store = system('store');
    const { recordOutcomeEverywhere } = createSinkActivities([store]);
    const failures = await new MockActivityEnvironment().run(recordOutcomeEverywhere, writesTo('store', 'ledger'));
    expect(failures).toEqual([
      { sink: 'ledger', key: 's1:completed', message: 'no external system named ledger', final: true },
    ]);
    expect(store.told).toEqual(['s1:completed']);
  });

  it('writes several events to each system in order; after a retryable failure that system is not asked again', async () => {
    const scheduled = { idempotencyKey: 'f1:follow-up.scheduled', kind: 'follow-up.scheduled' } as ExternalEvent;
    const store = system('store');
    const down = system('webhook', ApplicationFailure.retryable('webhook answered 503', 'OutcomeWebhookUnavailable'));
    const { recordOutcomeEverywhere } = createSinkActivities([store, down]);
    const writes = ['store', 'webhook'].flatMap((sink) => [
      { sink, event },
      { sink, event: scheduled },
    ]);
    const failures = await new MockActivityEnvironment().run(recordOutcomeEverywhere, writes);
    expect(store.told).toEqual(['s1:completed', 'f1:follow-up.scheduled']);
    expect(failures).toEqual([
      { sink: 'webhook', key: 's1:completed', message: 'webhook answered 503', final: false },
      {
        sink: 'webhook',
        key: 'f1:follow-up.scheduled',
        message: 'not tried: completed failed first',
        final: false,
        notTried: true,
      },
    ]);
  });

  it("goes on to a system's next event after a final refusal: asking again cannot help that one", async () => {
    const scheduled = { idempotencyKey: 'f1:follow-up.scheduled', kind: 'follow-up.scheduled' } as ExternalEvent;
    let calls = 0;
    const picky: OutcomeSink = {
      name: 'crm',
      record: () =>
        calls++ === 0 ? Promise.reject(ApplicationFailure.nonRetryable('rejected', 'Bad')) : Promise.resolve(),
    };
    const { recordOutcomeEverywhere } = createSinkActivities([picky]);
    const failures = await new MockActivityEnvironment().run(recordOutcomeEverywhere, [
      { sink: 'crm', event },
      { sink: 'crm', event: scheduled },
    ]);
    expect(calls).toBe(2);
    expect(failures).toEqual([{ sink: 'crm', key: 's1:completed', message: 'rejected', final: true }]);
  });
});
